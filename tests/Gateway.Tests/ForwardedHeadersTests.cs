using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Store.Testing;

namespace Store.Gateway.Tests;

/// <summary>
/// A gateway whose audit cluster points at a small server of the test's own that answers every
/// request with the headers it received: what a service is sent, which no real service shows.
/// </summary>
public sealed class GatewayWithHeaderEcho : GatewayUnderTest
{
    private WebApplication? _echo;
    private int _echoPort;

    public override async Task InitializeAsync()
    {
        _echoPort = ServiceProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_echoPort}");
        _echo = builder.Build();
        _echo.Map("/{**path}", (HttpRequest request) =>
            request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase));
        await _echo.StartAsync();
        await base.InitializeAsync();
    }

    protected override void Configure(Dictionary<string, string?> gateway) =>
        gateway["ReverseProxy:Clusters:audit:Destinations:default:Address"] = $"http://127.0.0.1:{_echoPort}/";

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_echo is not null)
            await _echo.DisposeAsync();
    }
}

public sealed class ForwardedHeadersTests(GatewayWithHeaderEcho gateway) : IClassFixture<GatewayWithHeaderEcho>
{
    [Fact]
    public async Task A_service_is_sent_the_callers_address_scheme_host_and_request_id_and_not_what_the_caller_claims()
    {
        using var client = gateway.Client(TestTokens.Admin());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/audit?limit=5");
        request.Headers.Add("X-Request-Id", "forwarded-1");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        request.Headers.Add("X-Forwarded-Host", "spoofed.example");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = new Dictionary<string, string>(
            (await response.Content.ReadFromJsonAsync<Dictionary<string, string>>())!, StringComparer.OrdinalIgnoreCase);
        string Header(string name) => received.TryGetValue(name, out var value) ? value : $"({name} not sent)";
        Assert.Equal("127.0.0.1", Header("X-Forwarded-For"));
        Assert.Equal("http", Header("X-Forwarded-Proto"));
        Assert.Equal(gateway.Gateway.Address.Authority, Header("X-Forwarded-Host"));
        Assert.Equal("forwarded-1", Header("X-Request-Id"));
        // The service checks the token again, so it is passed on.
        Assert.Equal(client.DefaultRequestHeaders.Authorization!.ToString(), Header("Authorization"));
        Assert.Equal("forwarded-1", response.Headers.GetValues("X-Request-Id").Single());
    }
}
