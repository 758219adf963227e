using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Store.Messaging;

namespace Store.Testing;

/// <summary>
/// What one batcher (<see cref="Batcher{TItem, TResult}"/>, by name) measured while a test runs: the
/// size of every batch it ran (<c>store.batch.size</c>) and how many batches it split
/// (<c>store.batch.split</c>), in any host of this process.
/// </summary>
public sealed class BatchMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _batcher;
    private int _splits;

    public BatchMeasurements(string batcher)
    {
        _batcher = batcher;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == BatchMetrics.MeterName && instrument.Name is "store.batch.size" or "store.batch.split")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            if (IsMine(tags))
                Sizes.Enqueue(value);
        });
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (IsMine(tags))
                Interlocked.Add(ref _splits, (int)value);
        });
        _listener.Start();
    }

    /// <summary>The number of items of each batch run, in the order they ran.</summary>
    public ConcurrentQueue<int> Sizes { get; } = new();

    /// <summary>Batches that failed as a whole and were handled again item by item.</summary>
    public int Splits => Volatile.Read(ref _splits);

    /// <summary>The largest batch run (0 when none ran).</summary>
    public int Largest => Sizes.IsEmpty ? 0 : Sizes.Max();

    public void Dispose() => _listener.Dispose();

    private bool IsMine(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == BatchMetrics.NameTag && Equals(tag.Value, _batcher))
                return true;
        }
        return false;
    }
}
