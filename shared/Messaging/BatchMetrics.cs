using System.Diagnostics.Metrics;

namespace Store.Messaging;

/// <summary>
/// The meter <c>Store.Messaging</c>: how many items each batch held (<c>store.batch.size</c>) and how
/// many batches failed as a whole and were handled again item by item (<c>store.batch.split</c>),
/// each tagged with the batcher's name; and the outbox events waiting to be tried again
/// (<c>store.outbox.waiting</c>, tagged with the outbox's database, see <see cref="OutboxRelayState{TDb}"/>).
/// </summary>
public static class BatchMetrics
{
    public const string MeterName = "Store.Messaging";
    public const string NameTag = "batcher";

    internal static readonly Meter Meter = new(MeterName);

    internal static readonly Histogram<int> Size = Meter.CreateHistogram<int>(
        "store.batch.size", "{item}", "Items handled by one batch.");

    internal static readonly Counter<long> Split = Meter.CreateCounter<long>(
        "store.batch.split", "{batch}", "Batches that failed as a whole and were handled again item by item.");
}
