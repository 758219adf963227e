using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Store.Testing;

namespace Store.Items.Tests.Hosting;

/// <summary>
/// A service that validates tokens against the users service's JWKS URL is not ready until it has
/// the keys: started while nothing answers there (the users service not up yet), its
/// <c>/health/ready</c> is 503 with the <c>signing-keys</c> check unhealthy, so the gateway keeps it
/// out of rotation instead of letting it answer 401 to valid tokens; once the keys can be fetched it
/// is ready and takes the tokens they sign.
/// </summary>
public sealed class SigningKeysReadinessTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    [Fact]
    public async Task Without_its_signing_keys_the_service_is_not_ready_and_with_them_it_is()
    {
        var port = ServiceProcess.FreePort();
        await using var service = api.WithWebHostBuilder(host =>
        {
            host.UseSetting("Auth:Jwks", "");
            host.UseSetting("Auth:JwksUrl", $"http://127.0.0.1:{port}/.well-known/jwks.json");
        });
        using var client = service.CreateClient();

        var (status, keys) = await ReadinessAsync(client);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unhealthy", keys);

        await using var jwks = await LocalWebServer.StartAsync(
            app => app.MapGet("/.well-known/jwks.json", () => Results.Text(TestTokens.Jwks, "application/json")), port);
        await Eventually.GetAsync(() => ReadinessAsync(client), ready => ready.Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the service to be ready once its keys can be fetched");
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.User());
        using var orders = await client.GetAsync(new Uri("/api/orders", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, orders.StatusCode);
    }

    private static async Task<(HttpStatusCode Status, string? SigningKeys)> ReadinessAsync(HttpClient client)
    {
        using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var report = await ready.Content.ReadFromJsonAsync<JsonElement>();
        return (ready.StatusCode, report.GetProperty("checks").GetProperty("signing-keys").GetProperty("status").GetString());
    }
}
