using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Store.Contracts;
using Store.Items.Catalog;
using Store.Testing;

namespace Store.Items.Tests.Orders;

/// <summary>Many buyers at once: the stock never goes below zero and each sale has exactly one event.</summary>
public sealed class ConcurrentPurchaseTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    [Fact]
    public async Task Hundred_concurrent_purchases_of_twenty_in_stock_sell_exactly_twenty_with_twenty_events()
    {
        await using var events = await EventCollector.StartAsync<OrderPlaced>(api.Vhost.Name);
        var item = await api.CreateItemAsync(new { name = "Limited print", price = 40m, stock = 20 });
        var buyers = Enumerable.Range(0, 100).Select(_ => api.AsUser(ItemsApi.NewUserId())).ToList();

        var responses = await Task.WhenAll(buyers.Select(buyer => ItemsApi.PurchaseAsync(buyer, item.Id, 1)));

        var answers = string.Join(", ", responses.GroupBy(r => (int)r.StatusCode).Select(g => $"{g.Key} x{g.Count()}"));
        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.Created) == 20, $"20 sold expected; answers: {answers}");
        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.Conflict) == 80, $"80 refused expected; answers: {answers}");
        foreach (var refused in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("insufficient_stock", problem.GetProperty("error").GetString());
            Assert.Equal(0, problem.GetProperty("available").GetInt32());
        }
        var sold = new List<int>();
        foreach (var created in responses.Where(r => r.StatusCode == HttpStatusCode.Created))
            sold.Add((await ItemsApi.ReadOrderAsync(created)).Id);
        using var anyone = api.Anonymous();
        Assert.Equal(0, (await anyone.GetFromJsonAsync<ItemResponse>($"/api/items/{item.Id}", ItemsApi.Json))!.Stock);

        var delivered = await events.WaitForAsync(20, e => e.ItemId == item.Id);
        // Every row of the item is sent, so nothing more can come: exactly these 20 were delivered.
        await Eventually.GetAsync(() => api.OutboxOfAsync(item.Id), rows => rows.All(r => r.SentAt is not null),
            TimeSpan.FromSeconds(30), "the item's outbox to be sent");
        delivered = events.Deliveries.Where(d => d.Message.ItemId == item.Id).ToList();
        Assert.Equal(20, delivered.Count);
        Assert.Equal(sold.Order(), delivered.Select(d => d.Message.OrderId).Order());

        ItemsApi.DisposeAll(responses, buyers);
    }
}
