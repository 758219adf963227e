using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Store.Messaging;

/// <summary>How the relay of <typeparamref name="TDb"/> is doing: whether its last round could publish.</summary>
internal sealed class OutboxRelayState<TDb>
    where TDb : DbContext
{
    private readonly Lock _lock = new();
    private int _failures;
    private DateTimeOffset _failingSince;
    private string? _lastError;

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
/// so a service that only publishes would otherwise look healthy through an outage.
/// </summary>
internal sealed class OutboxHealthCheck<TDb>(OutboxRelayState<TDb> state) : IHealthCheck
    where TDb : DbContext
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (failures, failingSince, lastError) = state.Read();
        return Task.FromResult(failures == 0
            ? HealthCheckResult.Healthy("The outbox relay publishes.")
            : HealthCheckResult.Degraded($"The outbox relay has failed {failures} round(s) in a row since {failingSince:O}: {lastError}"));
    }
}
