using System.Collections.Concurrent;

namespace Store.Messaging.Tests;

/// <summary>
/// The batcher's own logic, without a database or broker: each caller gets its own item's result,
/// and a batch that failed is handled again item by item only when the failure allows it.
/// </summary>
public sealed class BatcherResultTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A handler whose first batch waits until <see cref="Release"/>, so that the items handed in
    /// meanwhile make up the second batch together.
    /// </summary>
    private sealed class HeldHandler(Func<IReadOnlyList<int>, IReadOnlyList<string>> handle)
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _firstStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public ConcurrentQueue<int[]> Batches { get; } = new();

        public Task FirstStarted => _firstStarted.Task;

        public void Release() => _release.TrySetResult();

        public async Task<IReadOnlyList<string>> HandleAsync(IReadOnlyList<int> items, CancellationToken cancellationToken)
        {
            Batches.Enqueue([.. items]);
            if (Interlocked.Increment(ref _calls) == 1)
            {
                _firstStarted.TrySetResult();
                await _release.Task.WaitAsync(Patience, cancellationToken);
            }
            return handle(items);
        }
    }

    /// <summary>Hands in 0 alone, waits until its batch runs, then 1..<paramref name="count"/> together, and lets the first batch end.</summary>
    private static async Task<Task<string>[]> HandInAsync(Batcher<int, string> batcher, HeldHandler handler, int count)
    {
        var first = batcher.HandleAsync(0, CancellationToken.None);
        await handler.FirstStarted.WaitAsync(Patience);
        var rest = Enumerable.Range(1, count).Select(i => batcher.HandleAsync(i, CancellationToken.None)).ToArray();
        handler.Release();
        return [first, .. rest];
    }

    [Fact]
    public async Task Each_caller_gets_its_own_items_result_from_a_shared_batch()
    {
        var handler = new HeldHandler(items => [.. items.Select(i => $"result of {i}")]);
        var batcher = new Batcher<int, string>("test", handler.HandleAsync, maxBatchSize: 100);

        var calls = await HandInAsync(batcher, handler, 20);

        var results = await Task.WhenAll(calls).WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(0, 21).Select(i => $"result of {i}"), results);
        Assert.Equal([1, 20], handler.Batches.Select(b => b.Length));
    }

    [Fact]
    public async Task A_batch_that_failed_in_a_way_that_allows_it_is_handled_again_item_by_item()
    {
        var handler = new HeldHandler(items => items.Count > 1 ? throw new InvalidDataException("the batch") :
            items[0] == 7 ? throw new InvalidDataException("item 7") : [$"result of {items[0]}"]);
        var batcher = new Batcher<int, string>("test", handler.HandleAsync, maxBatchSize: 100, retryAlone: e => e is InvalidDataException);

        var calls = await HandInAsync(batcher, handler, 10);

        await Task.WhenAny(Task.WhenAll(calls), Task.Delay(Patience));
        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => calls[7]);
        Assert.Equal("item 7", failure.Message);
        Assert.All(calls.Where((_, i) => i != 7), call => Assert.True(call.IsCompletedSuccessfully));
        // The batch of ten, then each of its items alone.
        Assert.Equal([1, 10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], handler.Batches.Select(b => b.Length));
    }

    [Fact]
    public async Task A_batch_that_failed_in_a_way_that_may_have_taken_effect_fails_every_item_and_is_not_handled_again()
    {
        var handler = new HeldHandler(items => items.Count > 1 ? throw new IOException("the connection broke") : [$"result of {items[0]}"]);
        var batcher = new Batcher<int, string>("test", handler.HandleAsync, maxBatchSize: 100, retryAlone: e => e is InvalidDataException);

        var calls = await HandInAsync(batcher, handler, 10);

        await Task.WhenAny(Task.WhenAll(calls), Task.Delay(Patience));
        Assert.Equal("result of 0", await calls[0]);
        foreach (var call in calls[1..])
            Assert.Equal("the connection broke", (await Assert.ThrowsAsync<IOException>(() => call)).Message);
        Assert.Equal([1, 10], handler.Batches.Select(b => b.Length));
    }

    [Fact]
    public async Task A_consumers_batcher_throws_each_items_own_failure()
    {
        var batcher = new Batcher<int>("test", (items, _) =>
            Task.FromResult<IReadOnlyList<Exception?>>([.. items.Select(i => i % 2 == 0 ? null : new InvalidDataException($"item {i}"))]),
            maxBatchSize: 100);

        await batcher.HandleAsync(2, CancellationToken.None);
        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => batcher.HandleAsync(3, CancellationToken.None));
        Assert.Equal("item 3", failure.Message);
    }
}
