using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Store.Messaging.Tests;

/// <summary>
/// StuckEndpointCheck, the liveness check of a consuming service, on a bus whose endpoints' health
/// the test sets (a receive endpoint that MassTransit left faulted cannot be made on demand).
/// </summary>
public sealed class StuckEndpointCheckTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ManualClock _clock = new();
    private readonly StuckEndpointCheck _check;
    private BusHealthStatus _endpoint = BusHealthStatus.Healthy;

    public StuckEndpointCheckTests()
    {
        var endpoint = Answering.Create<IReceiveEndpoint>(new() { ["get_InputAddress"] = () => new Uri("rabbitmq://localhost/notifications") });
        var bus = Answering.Create<IBusControl>(new()
        {
            [nameof(IBusControl.CheckHealth)] = () => BusHealthResult.Healthy("test", new Dictionary<string, EndpointHealthResult>
            {
                ["notifications"] = _endpoint == BusHealthStatus.Healthy
                    ? EndpointHealthResult.Healthy(endpoint, "ready")
                    : EndpointHealthResult.Unhealthy(endpoint, "faulted", new InvalidOperationException("Broker unreachable")),
            }),
        });
        _check = new StuckEndpointCheck(bus, Options.Create(new RabbitMqOptions { StuckEndpointTimeout = Timeout }), _clock);
    }

    private async Task<HealthCheckResult> CheckAsync() => await _check.CheckHealthAsync(new HealthCheckContext());

    [Fact]
    public async Task An_endpoint_that_is_not_healthy_for_longer_than_the_timeout_fails_liveness_until_it_is_healthy_again()
    {
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);

        _endpoint = BusHealthStatus.Unhealthy;
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
        _clock.Advance(Timeout - TimeSpan.FromSeconds(1));
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var stuck = await CheckAsync();
        Assert.Equal(HealthStatus.Unhealthy, stuck.Status);
        Assert.Contains("notifications", stuck.Description, StringComparison.Ordinal);
        Assert.Equal("Broker unreachable", stuck.Exception?.Message);

        _endpoint = BusHealthStatus.Healthy;
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
        // A new outage starts a new clock.
        _endpoint = BusHealthStatus.Unhealthy;
        _clock.Advance(Timeout);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }

    /// <summary>An implementation of an interface that answers the named members only.</summary>
    public class Answering : DispatchProxy
    {
        private Dictionary<string, Func<object?>> _answers = [];

        public static T Create<T>(Dictionary<string, Func<object?>> answers)
            where T : class
        {
            var proxy = DispatchProxy.Create<T, Answering>();
            ((Answering)(object)proxy)._answers = answers;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod is not null && _answers.TryGetValue(targetMethod.Name, out var answer)
                ? answer()
                : throw new NotSupportedException(targetMethod?.Name);
    }
}
