using System.Globalization;
using System.Net;
using Store.Testing;

namespace Store.Gateway.Tests;

/// <summary>
/// The items service listening on a Unix domain socket beside its TCP port, and a gateway whose items
/// destination is an address nothing listens on, with <c>UnixSockets</c> naming the socket for that
/// address: what reaches the service can only have gone over the socket.
/// </summary>
public sealed class GatewayOverUnixSocket : GatewayUnderTest
{
    public string SocketPath { get; } = Path.Combine(Path.GetTempPath(), $"items-{Guid.NewGuid():N}.sock");

    protected override void ConfigureItems(Dictionary<string, string?> items, int port) =>
        items["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)};http://unix:{SocketPath}";

    protected override void Configure(Dictionary<string, string?> gateway)
    {
        var address = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort().ToString(CultureInfo.InvariantCulture)}/");
        gateway["ReverseProxy:Clusters:items:Destinations:default:Address"] = address.ToString();
        gateway["UnixSockets:Destinations:items:Address"] = address.ToString();
        gateway["UnixSockets:Destinations:items:Path"] = SocketPath;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(SocketPath);
    }
}

public sealed class UnixSocketTests(GatewayOverUnixSocket gateway) : IClassFixture<GatewayOverUnixSocket>
{
    [Fact]
    public async Task Requests_and_health_probes_reach_a_destination_over_its_socket()
    {
        using var client = gateway.Client(token: null);
        // Past several of the active health check's 1 s probes: were they not answered over the
        // socket too, the destination would be out of rotation (503) after the second.
        for (var request = 0; request < 4; request++)
        {
            using var items = await client.GetAsync(new Uri("/api/items?limit=1", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, items.StatusCode);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        using var buy = gateway.Client(TestTokens.User());
        using var order = await buy.GetAsync(new Uri("/api/orders", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, order.StatusCode);
    }

    [Fact]
    public async Task An_address_the_setting_does_not_name_is_still_reached_over_tcp()
    {
        // The users cluster points at an address nothing listens on, and no socket is named for it:
        // the gateway's answer is its own 502 or 503, not the items service's over the socket.
        using var client = gateway.Client(token: null);
        using var response = await client.PostAsync(new Uri("/api/auth/token", UriKind.Relative), new FormUrlEncodedContent([new("username", "a"), new("password", "b")]));
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable });
    }
}
