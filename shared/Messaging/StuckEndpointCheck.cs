using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Store.Messaging;

/// <summary>
/// Fails (for <c>/health/live</c>) when a receive endpoint of this process has not been healthy for
/// <see cref="RabbitMqOptions.StuckEndpointTimeout"/>.
/// <para>
/// Why: MassTransit 8.4's receive transport reconnects after a broker restart by retrying its
/// start-up, but it gives up for good, logging only at Debug level, when an attempt ends in an
/// exception its retry policy does not handle: an OperationCanceledException that is not its own
/// stop (a broker RPC that timed out while the broker was starting, say), or any exception once the
/// policy's retries ran out. The endpoint then stays faulted while the process looks fine and its
/// queue grows. The bus's readiness check only reports it as degraded (the outbox keeps requests
/// working through a broker outage), so nothing would restart the process; this check does.
/// </para>
/// </summary>
public sealed class StuckEndpointCheck(IBusControl bus, IOptions<RabbitMqOptions> settings, TimeProvider clock) : IHealthCheck
{
    /// <summary>Since when each endpoint that is not healthy has been so.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unhealthySince = new();
    private readonly RabbitMqOptions _options = settings.Value;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var stuck = new List<string>();
        Exception? cause = null;
        foreach (var (name, endpoint) in bus.CheckHealth().Endpoints)
        {
            if (endpoint.Status == BusHealthStatus.Healthy)
            {
                _unhealthySince.TryRemove(name, out _);
                continue;
            }
            if (now - _unhealthySince.GetOrAdd(name, now) >= _options.StuckEndpointTimeout)
            {
                stuck.Add(name);
                cause ??= endpoint.Exception;
            }
        }
        return Task.FromResult(stuck.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy(
                $"Not consuming for over {_options.StuckEndpointTimeout.TotalSeconds:0} s: {string.Join(", ", stuck)}", cause));
    }
}
