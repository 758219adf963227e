using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Store.Testing;

namespace Store.Gateway.Tests;

/// <summary>
/// The items service listening on a Unix domain socket beside its TCP port, and a gateway whose items
/// destination is an address nothing listens on, with <c>UnixSockets</c> naming the socket for that
/// address: what reaches the service can only have gone over the socket, and the socket speaks only
/// HTTP/2. The users cluster points at a small server of the test's own on TCP, which no socket is
/// named for.
/// </summary>
public sealed class GatewayOverUnixSocket : GatewayUnderTest
{
    public const string TcpAnswer = "answered over TCP";

    private LocalWebServer? _overTcp;

    public string SocketPath { get; } = Path.Combine(Path.GetTempPath(), $"items-{Guid.NewGuid():N}.sock");

    public override async Task InitializeAsync()
    {
        _overTcp = await LocalWebServer.StartAsync(app => app.Map("/{**path}", () => Results.Text(TcpAnswer)));
        await base.InitializeAsync();
    }

    protected override void ConfigureItems(Dictionary<string, string?> items, int port) =>
        items["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)};http://unix:{SocketPath}";

    protected override void Configure(Dictionary<string, string?> gateway)
    {
        var address = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort().ToString(CultureInfo.InvariantCulture)}/");
        gateway["ReverseProxy:Clusters:items:Destinations:default:Address"] = address.ToString();
        gateway["UnixSockets:Destinations:items:Address"] = address.ToString();
        gateway["UnixSockets:Destinations:items:Path"] = SocketPath;
        gateway["ReverseProxy:Clusters:users:Destinations:default:Address"] = $"{_overTcp!.Address}/";
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_overTcp is not null)
            await _overTcp.DisposeAsync();
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
            using var page = await client.GetAsync(new Uri("/api/items?limit=1", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        using var buyer = gateway.Client(TestTokens.User());
        using var orders = await buyer.GetAsync(new Uri("/api/orders", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, orders.StatusCode);

        // The gateway's /health asks each instance itself, the same way.
        using var admin = gateway.Client(TestTokens.Admin());
        using var health = await admin.GetAsync(new Uri("/health", UriKind.Relative));
        var items = (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("services").GetProperty("items");
        Assert.Equal("healthy", items.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_services_socket_speaks_http2_only_and_its_port_http1()
    {
        using var overSocket = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(gateway.SocketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var socketClient = new HttpClient(overSocket) { BaseAddress = new Uri("http://items/") };
        using var http2 = new HttpRequestMessage(HttpMethod.Get, "/api/items?limit=1")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var answered = await socketClient.SendAsync(http2);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(HttpVersion.Version20, answered.Version);

        // HTTP/1.1 on the socket is refused: the gateway's requests above can only have been HTTP/2.
        using var http1 = await socketClient.GetAsync(new Uri("/api/items?limit=1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, http1.StatusCode);

        // The port answers HTTP/1.1 as before.
        using var portClient = new HttpClient { BaseAddress = gateway.Items.Address };
        using var overPort = await portClient.GetAsync(new Uri("/api/items?limit=1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, overPort.StatusCode);
        Assert.Equal(HttpVersion.Version11, overPort.Version);
    }

    [Fact]
    public async Task An_address_no_socket_is_named_for_is_reached_over_tcp()
    {
        using var client = gateway.Client(token: null);
        using var response = await client.PostAsync(new Uri("/api/auth/token", UriKind.Relative),
            new FormUrlEncodedContent([new("username", "someone"), new("password", "a password")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(GatewayOverUnixSocket.TcpAnswer, await response.Content.ReadAsStringAsync());
    }
}
