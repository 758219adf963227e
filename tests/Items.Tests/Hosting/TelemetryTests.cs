using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Store.Testing;

namespace Store.Items.Tests.Hosting;

/// <summary>
/// With OTEL_EXPORTER_OTLP_ENDPOINT set, the service exports its traces, metrics and logs over OTLP
/// (here to a receiver that records which signals arrive, over OTLP/HTTP); without it, nothing is sent.
/// </summary>
public sealed class TelemetryTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    [Fact]
    public async Task With_an_OTLP_endpoint_traces_metrics_and_logs_are_exported()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var service = api.WithWebHostBuilder(host =>
        {
            host.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Address);
            host.UseSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
            host.UseSetting("OTEL_BSP_SCHEDULE_DELAY", "100");
            host.UseSetting("OTEL_BLRP_SCHEDULE_DELAY", "100");
            host.UseSetting("OTEL_METRIC_EXPORT_INTERVAL", "200");
            host.UseSetting("Logging:LogLevel:Default", "Information");
        });
        using var client = service.CreateClient();
        using var response = await client.GetAsync(new Uri("/api/items/999999", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        var signals = await Eventually.GetAsync(
            () => Task.FromResult(receiver.Signals),
            seen => seen.Contains("traces") && seen.Contains("metrics") && seen.Contains("logs"),
            TimeSpan.FromSeconds(30),
            "traces, metrics and logs at the OTLP receiver");
        Assert.Contains("traces", signals);
    }

    [Fact]
    public async Task Without_an_OTLP_endpoint_nothing_is_exported()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var client = api.CreateClient();
        using var response = await client.GetAsync(new Uri("/api/items/999999", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(receiver.Signals);
    }

    /// <summary>An OTLP/HTTP endpoint on a free port that answers 200 and remembers which signals were posted.</summary>
    private sealed class OtlpReceiver(LocalWebServer server, ConcurrentDictionary<string, byte> signals) : IAsyncDisposable
    {
        public string Address => server.Address;

        public HashSet<string> Signals => [.. signals.Keys];

        public static async Task<OtlpReceiver> StartAsync()
        {
            var signals = new ConcurrentDictionary<string, byte>();
            var server = await LocalWebServer.StartAsync(app => app.MapPost("/v1/{signal}", (string signal) =>
            {
                signals[signal] = 0;
                return Results.Ok();
            }));
            return new OtlpReceiver(server, signals);
        }

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }
}
