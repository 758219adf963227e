using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Store.ServiceDefaults;
using Store.Testing;

namespace Store.Messaging.Tests;

/// <summary>
/// The liveness of a consuming service as AddMessaging wires it, on a real broker connection that the
/// test cuts: /health/live's checks fail once the receive endpoint has been down for
/// RabbitMq:StuckEndpointTimeout, and pass again once it consumes.
/// </summary>
public sealed class ConsumerLivenessTests(MessagingServers servers) : IClassFixture<MessagingServers>
{
    private static readonly TimeSpan StuckEndpointTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_receive_endpoint_cut_off_from_the_broker_fails_liveness_after_the_timeout_and_passes_once_it_reconnects()
    {
        await using var proxy = TcpProxy.ToRabbitMq();
        await using var service = await servers.StartServiceAsync(
            rabbitMqProxy: proxy,
            publish: false,
            consumers: bus => bus.AddConsumer<NoteCopier, NoteCopierDefinition>(),
            services: services => services.AddSingleton(new ConsumerLog()),
            settings: new Dictionary<string, string> { ["RabbitMq:StuckEndpointTimeout"] = StuckEndpointTimeout.ToString() });
        var health = service.Services.GetRequiredService<HealthCheckService>();
        async Task<HealthStatus> LivenessAsync() => (await health.CheckHealthAsync(check => check.Tags.Contains(Health.Live))).Status;

        Assert.Equal(HealthStatus.Healthy, await LivenessAsync());

        proxy.Cut();
        var cut = DateTime.UtcNow;
        // Probed every 50 ms, as an orchestrator would every few seconds: each probe is a new health check run.
        await Eventually.GetAsync(LivenessAsync, status => status == HealthStatus.Unhealthy, TimeSpan.FromSeconds(30), "liveness to fail");
        Assert.True(DateTime.UtcNow - cut >= StuckEndpointTimeout, "Liveness failed before the endpoint had been down for the timeout.");

        proxy.Resume();
        // MassTransit's reconnect backoff grows to 30 s between attempts.
        await Eventually.GetAsync(LivenessAsync, status => status == HealthStatus.Healthy, TimeSpan.FromSeconds(60), "liveness to pass again");
    }
}
