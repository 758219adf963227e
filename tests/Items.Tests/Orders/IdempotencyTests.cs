using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Store.Contracts;
using Store.Items.Catalog;
using Store.Items.Orders;

namespace Store.Items.Tests.Orders;

/// <summary>The Idempotency-Key header: a retried purchase returns the first answer and buys nothing more.</summary>
public sealed class IdempotencyTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private static string NewKey() => $"key-{Guid.NewGuid():N}";

    private async Task<int> StockOfAsync(int itemId)
    {
        using var anyone = api.Anonymous();
        return (await anyone.GetFromJsonAsync<ItemResponse>($"/api/items/{itemId}", ItemsApi.Json))!.Stock;
    }

    private async Task<int> OrdersOfAsync(int itemId)
    {
        await using var db = api.OpenDb();
        return await db.Orders.CountAsync(o => o.ItemId == itemId);
    }

    [Fact]
    public async Task Five_identical_concurrent_requests_with_one_key_make_one_order()
    {
        var item = await api.CreateItemAsync(new { name = "Clock", price = 15m, stock = 10 });
        using var user = api.AsUser(ItemsApi.NewUserId());
        var key = NewKey();

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => ItemsApi.PurchaseAsync(user, item.Id, 2, key)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var orders = await Task.WhenAll(responses.Select(ItemsApi.ReadOrderAsync));
        Assert.Single(orders.Select(o => o.Id).Distinct());
        Assert.Equal(4, responses.Count(r => r.Headers.Contains(OrderEndpoints.ReplayedHeader)));
        Assert.Equal(8, await StockOfAsync(item.Id));
        Assert.Equal(1, await OrdersOfAsync(item.Id));
        Assert.Single(await api.OutboxOfAsync(item.Id), m => m.MessageType.Contains(nameof(OrderPlaced), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_repeated_request_returns_the_first_response_also_through_the_other_route()
    {
        var item = await api.CreateItemAsync(new { name = "Bell", price = 4m, stock = 10 });
        using var user = api.AsUser(ItemsApi.NewUserId());
        var key = NewKey();

        using var first = await ItemsApi.PurchaseAsync(user, item.Id, 3, key);
        using var again = await ItemsApi.PurchaseAsync(user, item.Id, 3, key);
        using var asOrder = await ItemsApi.PlaceOrderAsync(user, item.Id, 3, key);

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(HttpStatusCode.Created, asOrder.StatusCode);
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Equal(await ItemsApi.ReadOrderAsync(first), await ItemsApi.ReadOrderAsync(asOrder));
        Assert.False(first.Headers.Contains(OrderEndpoints.ReplayedHeader));
        Assert.Equal("true", again.Headers.GetValues(OrderEndpoints.ReplayedHeader).Single());
        Assert.Equal(7, await StockOfAsync(item.Id));
    }

    [Fact]
    public async Task The_same_key_with_a_different_request_is_422_and_buys_nothing()
    {
        var item = await api.CreateItemAsync(new { name = "Drum", price = 60m, stock = 10 });
        var other = await api.CreateItemAsync(new { name = "Flute", price = 20m, stock = 10 });
        using var user = api.AsUser(ItemsApi.NewUserId());
        var key = NewKey();
        using var first = await ItemsApi.PurchaseAsync(user, item.Id, 1, key);

        using var otherQuantity = await ItemsApi.PurchaseAsync(user, item.Id, 2, key);
        using var otherItem = await ItemsApi.PlaceOrderAsync(user, other.Id, 1, key);

        foreach (var response in new[] { otherQuantity, otherItem })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty("idempotency_key", out _));
        }
        Assert.Equal(9, await StockOfAsync(item.Id));
        Assert.Equal(10, await StockOfAsync(other.Id));
    }

    [Fact]
    public async Task The_same_key_from_another_user_is_a_purchase_of_its_own()
    {
        var item = await api.CreateItemAsync(new { name = "Harp", price = 500m, stock = 10 });
        using var first = api.AsUser(ItemsApi.NewUserId());
        using var second = api.AsUser(ItemsApi.NewUserId());
        var key = NewKey();

        using var mine = await ItemsApi.PurchaseAsync(first, item.Id, 1, key);
        using var theirs = await ItemsApi.PurchaseAsync(second, item.Id, 1, key);

        Assert.Equal(HttpStatusCode.Created, theirs.StatusCode);
        Assert.NotEqual((await ItemsApi.ReadOrderAsync(mine)).Id, (await ItemsApi.ReadOrderAsync(theirs)).Id);
        Assert.Equal(8, await StockOfAsync(item.Id));
    }

    [Fact]
    public async Task A_repeated_request_that_met_too_little_stock_gets_the_same_409_after_a_restock()
    {
        var item = await api.CreateItemAsync(new { name = "Gong", price = 80m, stock = 1 });
        using var user = api.AsUser(ItemsApi.NewUserId());
        using var admin = api.AsAdmin();
        var key = NewKey();
        using var first = await ItemsApi.PurchaseAsync(user, item.Id, 5, key);
        using var restock = await admin.PatchAsJsonAsync($"/api/items/{item.Id}", new { stock = 50 });

        using var again = await ItemsApi.PurchaseAsync(user, item.Id, 5, key);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var problem = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, problem.GetProperty("available").GetInt32());
        Assert.Equal(50, await StockOfAsync(item.Id));
        Assert.Equal(0, await OrdersOfAsync(item.Id));
    }

    public static TheoryData<string> UnacceptableKeys() => new() { "has space", new string('k', 201) };

    [Theory]
    [MemberData(nameof(UnacceptableKeys))]
    public async Task An_unacceptable_key_is_422(string key)
    {
        var item = await api.CreateItemAsync(new { name = "Lute", price = 90m, stock = 1 });
        using var user = api.AsUser(ItemsApi.NewUserId());

        using var response = await ItemsApi.PurchaseAsync(user, item.Id, 1, key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(1, await StockOfAsync(item.Id));
    }
}
