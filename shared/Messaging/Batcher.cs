using System.Collections.Concurrent;

namespace Store.Messaging;

/// <summary>
/// Handles the work of messages being consumed at the same time as batches: each consumer hands its
/// item over and waits, one batch at a time runs over everything that is waiting (up to
/// <c>maxBatchSize</c>), so a busy queue pays for one database statement per batch rather than per
/// message, while a single message still goes at once. Each waiting consumer gets its own item's
/// outcome: when the batch as a whole fails, every item of it is handled again alone, so a message
/// that broke the batch fails alone (and is retried, and ends in <c>_error</c>, alone) and the others
/// succeed.
/// </summary>
/// <typeparam name="TItem">What one message asks for (an audit entry, a notification).</typeparam>
public sealed class Batcher<TItem>
{
    private readonly KeyValuePair<string, object?> _name;
    private readonly Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<Exception?>>> _handle;
    private readonly int _maxBatchSize;
    private readonly ConcurrentQueue<Pending> _waiting = new();
    private int _draining;

    /// <param name="name">Names the batcher in its metrics (<see cref="BatchMetrics"/>).</param>
    /// <param name="handle">
    /// Handles a batch and returns each item's failure by position (null for an item that succeeded;
    /// an empty list when all did), or throws when the batch as a whole failed.
    /// </param>
    /// <param name="maxBatchSize">The most items one batch takes.</param>
    public Batcher(string name, Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<Exception?>>> handle, int maxBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _name = new KeyValuePair<string, object?>(BatchMetrics.NameTag, name);
        _handle = handle;
        _maxBatchSize = maxBatchSize;
    }

    /// <summary>Completes when <paramref name="item"/> has been handled; throws its failure.</summary>
    public Task HandleAsync(TItem item, CancellationToken cancellationToken)
    {
        var pending = new Pending(item);
        _waiting.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
            _ = Task.Run(DrainAsync, CancellationToken.None);
        // A consumer that is stopped stops waiting; its item may still be handled, which the
        // handlers allow for (what they write is idempotent by event id).
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

            Volatile.Write(ref _draining, 0);
            // An item queued after the last look found the loop still running: take it on, unless
            // a new loop has already started for it.
            if (_waiting.IsEmpty || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
                return;
        }
    }

    private async Task RunAsync(List<Pending> batch)
    {
        IReadOnlyList<Exception?> failures;
        BatchMetrics.Size.Record(batch.Count, _name);
        try
        {
            failures = await _handle([.. batch.Select(p => p.Item)], CancellationToken.None);
        }
        catch (Exception) when (batch.Count > 1)
        {
            // Which item broke the batch is not known: each is handled alone.
            BatchMetrics.Split.Add(1, _name);
            foreach (var pending in batch)
                await RunAsync([pending]);
            return;
        }
        catch (Exception e)
        {
            batch[0].Outcome.TrySetException(e);
            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (failures.Count > i && failures[i] is { } failure)
                batch[i].Outcome.TrySetException(failure);
            else
                batch[i].Outcome.TrySetResult();
        }
    }

    private sealed class Pending(TItem item)
    {
        public TItem Item { get; } = item;

        // Consumers continue on their own threads, not on the loop that runs the next batch.
        public TaskCompletionSource Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
