using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using Store.Items.Data;
using Store.Testing;

namespace Store.Items.Tests.Orders;

/// <summary>
/// The service loses PostgreSQL for a moment (a proxy between them is cut; the shared server keeps
/// running): requests that need the database are 503 with Retry-After, not 500, and work again once
/// it is back. The handler is ServiceDefaults', so every service answers the same way.
/// </summary>
public sealed class DatabaseOutageTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private static WebApplicationFactory<ItemsDb> Through(ItemsApi api, TcpProxy proxy) => api.WithWebHostBuilder(host =>
        host.UseSetting("ConnectionStrings:items", new NpgsqlConnectionStringBuilder(api.Database.ConnectionString)
        {
            Host = proxy.Host,
            Port = proxy.Port,
            Timeout = 3,
        }.ConnectionString));

    [Fact]
    public async Task While_PostgreSQL_is_unreachable_a_purchase_is_503_problem_with_Retry_After_and_succeeds_once_it_is_back()
    {
        await using var proxy = TcpProxy.Start(TestServers.PostgresHost, TestServers.PostgresPort);
        await using var service = Through(api, proxy);
        using var admin = ItemsApi.ClientOf(service, TestTokens.Admin());
        using var buyer = ItemsApi.ClientOf(service, TestTokens.User(ItemsApi.NewUserId()));
        var item = await ItemsApi.CreateItemAsync(admin, new { name = "Outage lamp", price = 12m, stock = 10 });

        proxy.Cut();
        // Twice: the first request finds its pooled connection reset, the second cannot open one.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var refused = await ItemsApi.PurchaseAsync(buyer, item.Id, 1);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
            Assert.DoesNotContain("   at ", problem.GetRawText(), StringComparison.Ordinal);
        }

        proxy.Resume();
        var status = await Eventually.GetAsync(async () =>
        {
            using var response = await ItemsApi.PurchaseAsync(buyer, item.Id, 1);
            return response.StatusCode;
        }, code => code != HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "a purchase after the outage");
        Assert.Equal(HttpStatusCode.Created, status);
        await using var db = api.OpenDb();
        Assert.Equal(1, db.Orders.Count(o => o.ItemId == item.Id));
    }
}
