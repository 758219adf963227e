using System.Collections.Concurrent;

namespace Store.Messaging;

/// <summary>
/// Handles the work that callers hand in at the same time as batches, and gives each caller its own
/// item's result: each caller hands its item over and waits, one batch at a time runs over everything
/// that is waiting (up to <c>maxBatchSize</c>), so a busy service pays for one database statement per
/// batch rather than per item, while a single item still goes at once (it waits for no timer). When a
/// batch fails as a whole, every item of it is handled again alone, so an item that broke the batch
/// fails alone and the others succeed.
/// <para>
/// Consumers use it through <see cref="Batcher{TItem}"/> (results are the items' failures); a
/// request handler that needs an answer, such as the order a purchase placed, uses it directly.
/// </para>
/// </summary>
/// <typeparam name="TItem">What one caller asks for (an audit entry, a purchase).</typeparam>
/// <typeparam name="TResult">What each caller gets back.</typeparam>
public sealed class Batcher<TItem, TResult>
{
    private readonly KeyValuePair<string, object?> _name;
    private readonly Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> _handle;
    private readonly int _maxBatchSize;
    private readonly Func<Exception, bool> _retryAlone;
    private readonly ConcurrentQueue<Pending> _waiting = new();
    private int _draining;

    /// <param name="name">Names the batcher in its metrics (<see cref="BatchMetrics"/>).</param>
    /// <param name="handle">
    /// Handles a batch and returns each item's result by position (an item past the end of the list
    /// gets the default result), or throws when the batch as a whole failed; for a batch of one item,
    /// what it throws is that item's failure.
    /// </param>
    /// <param name="maxBatchSize">The most items one batch takes.</param>
    /// <param name="retryAlone">
    /// Which failures of a whole batch are handled again item by item (all, when not given). A
    /// handler whose work is not idempotent passes only the failures that prove nothing of the batch
    /// took effect; on any other failure every item of the batch fails with it, unretried.
    /// </param>
    public Batcher(
        string name, Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> handle, int maxBatchSize,
        Func<Exception, bool>? retryAlone = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _name = new KeyValuePair<string, object?>(BatchMetrics.NameTag, name);
        _handle = handle;
        _maxBatchSize = maxBatchSize;
        _retryAlone = retryAlone ?? (_ => true);
    }

    /// <summary>Completes with <paramref name="item"/>'s result once its batch has been handled; throws its failure.</summary>
    public Task<TResult> HandleAsync(TItem item, CancellationToken cancellationToken)
    {
        var pending = new Pending(item);
        _waiting.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
            _ = Task.Run(DrainAsync, CancellationToken.None);
        // A caller that is stopped stops waiting; its item may still be handled, which the
        // handlers allow for (what they write is idempotent, or is what the caller asked for).
        return pending.Outcome.Task.WaitAsync(cancellationToken);
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            var batch = new List<Pending>(Math.Min(_waiting.Count, _maxBatchSize));
            while (batch.Count < _maxBatchSize && _waiting.TryDequeue(out var pending))
                batch.Add(pending);
            if (batch.Count > 0)
            {
                await RunAsync(batch);
                continue;
            }

            // A full fence (not a release write): the look at the queue below must not be made
            // before the others can see the loop has stopped, or an item queued in between would
            // find the loop running and the loop would miss it.
            Interlocked.Exchange(ref _draining, 0);
            // An item queued after the last look found the loop still running: take it on, unless
            // a new loop has already started for it.
            if (_waiting.IsEmpty || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
                return;
        }
    }

    private async Task RunAsync(List<Pending> batch)
    {
        IReadOnlyList<TResult> results;
        BatchMetrics.Size.Record(batch.Count, _name);
        try
        {
            results = await _handle([.. batch.Select(p => p.Item)], CancellationToken.None);
        }
        catch (Exception e) when (batch.Count > 1 && _retryAlone(e))
        {
            // Which item broke the batch is not known: each is handled alone.
            BatchMetrics.Split.Add(1, _name);
            foreach (var pending in batch)
                await RunAsync([pending]);
            return;
        }
        catch (Exception e)
        {
            foreach (var pending in batch)
                pending.Outcome.TrySetException(e);
            return;
        }

        for (var i = 0; i < batch.Count; i++)
            batch[i].Outcome.TrySetResult(i < results.Count ? results[i] : default!);
    }

    private sealed class Pending(TItem item)
    {
        public TItem Item { get; } = item;

        // Callers continue on their own threads, not on the loop that runs the next batch.
        public TaskCompletionSource<TResult> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
