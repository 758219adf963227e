using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Store.Messaging;

/// <summary>
/// How the relay of <typeparamref name="TDb"/> is doing: whether its last round could publish, and
/// the events it tried that wait to be tried again (returned by the broker, or unreadable here),
/// with their attempts so far. The waiting count is the gauge <c>store.outbox.waiting</c>.
/// </summary>
internal sealed class OutboxRelayState<TDb>
    where TDb : DbContext
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<long, (int Attempts, string Reason)> _waiting = new();
    private int _failures;
    private DateTimeOffset _failingSince;
    private string? _lastError;

    public OutboxRelayState() =>
        BatchMetrics.Meter.CreateObservableGauge("store.outbox.waiting", () => new Measurement<int>(_waiting.Count,
            new KeyValuePair<string, object?>("outbox", typeof(TDb).Name)), "{event}", "Outbox events the relay tried that wait to be tried again.");

    public void Deferred(long id, int attempts, string reason) => _waiting[id] = (attempts, reason);

    public void Published(IEnumerable<long> ids)
    {
        if (_waiting.IsEmpty)
            return;
        foreach (var id in ids)
            _waiting.TryRemove(id, out _);
    }

    /// <summary>The waiting events tried at least <paramref name="attempts"/> times: how many, and the reason of the oldest.</summary>
    public (int Count, long? Oldest, string? Reason) WaitingSince(int attempts)
    {
        var stuck = _waiting.Where(w => w.Value.Attempts >= attempts).OrderBy(w => w.Key).ToList();
        return stuck.Count == 0 ? (0, null, null) : (stuck.Count, stuck[0].Key, stuck[0].Value.Reason);
    }

    public void Succeeded()
    {
        lock (_lock)
            _failures = 0;
    }

    public void Failed(Exception error, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_failures++ == 0)
                _failingSince = now;
            _lastError = error.GetBaseException().Message;
        }
    }

    public (int Failures, DateTimeOffset FailingSince, string? LastError) Read()
    {
        lock (_lock)
            return (_failures, _failingSince, _lastError);
    }
}

/// <summary>
/// Degraded while the relay cannot publish (the broker is unreachable, say): requests still work,
/// the events wait in the outbox. MassTransit's own check sees the broker only through consumers,
/// so a service that only publishes would otherwise look healthy through an outage. Degraded too
/// while an event has waited through <c>Outbox:StuckAfterAttempts</c> attempts (no queue for it for
/// a minute, or a type this version cannot read): it and its key's later events are held back.
/// </summary>
internal sealed class OutboxHealthCheck<TDb>(OutboxRelayState<TDb> state, IOptions<OutboxOptions> options) : IHealthCheck
    where TDb : DbContext
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (failures, failingSince, lastError) = state.Read();
        if (failures > 0)
            return Task.FromResult(HealthCheckResult.Degraded($"The outbox relay has failed {failures} round(s) in a row since {failingSince:O}: {lastError}"));
        var after = options.Value.StuckAfterAttempts;
        var (stuck, oldest, reason) = state.WaitingSince(after);
        return Task.FromResult(stuck == 0
            ? HealthCheckResult.Healthy("The outbox relay publishes.")
            : HealthCheckResult.Degraded(
                $"{stuck} outbox event(s) have waited through {after} or more attempts, with their keys' later events; the oldest, row {oldest}: {reason}"));
    }
}
