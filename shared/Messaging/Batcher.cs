using System.Runtime.ExceptionServices;

namespace Store.Messaging;

/// <summary>
/// A consumer's <see cref="Batcher{TItem, TResult}"/>: the messages being consumed at the same time
/// are handled as one batch, so a busy queue pays for one database statement per batch rather than
/// per message, and each message gets its own outcome: when the batch as a whole fails, every item of
/// it is handled again alone, so a message that broke the batch fails alone (and is retried, and ends
/// in <c>_error</c>, alone) and the others succeed.
/// </summary>
/// <typeparam name="TItem">What one message asks for (an audit entry, a notification).</typeparam>
public sealed class Batcher<TItem>
{
    private readonly Batcher<TItem, Exception?> _batcher;

    /// <param name="name">Names the batcher in its metrics (<see cref="BatchMetrics"/>).</param>
    /// <param name="handle">
    /// Handles a batch and returns each item's failure by position (null for an item that succeeded;
    /// an empty list when all did), or throws when the batch as a whole failed.
    /// </param>
    /// <param name="maxBatchSize">The most items one batch takes.</param>
    public Batcher(string name, Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<Exception?>>> handle, int maxBatchSize) =>
        _batcher = new Batcher<TItem, Exception?>(name, handle, maxBatchSize);

    /// <summary>Completes when <paramref name="item"/> has been handled; throws its failure.</summary>
    public async Task HandleAsync(TItem item, CancellationToken cancellationToken)
    {
        if (await _batcher.HandleAsync(item, cancellationToken) is { } failure)
            ExceptionDispatchInfo.Throw(failure);
    }
}
