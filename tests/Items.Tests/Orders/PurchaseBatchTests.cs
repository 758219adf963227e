using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Store.Items.Catalog;
using Store.Items.Orders;
using Store.Testing;

namespace Store.Items.Tests.Orders;

/// <summary>
/// Purchases that arrive together are placed by one statement (<see cref="Purchases"/>): each buyer
/// still gets the answer a purchase alone would have given, the stock never goes below zero, an
/// item's events are queued in the order its orders were placed, and two instances buying the same
/// items at once never wait for each other in a cycle.
/// </summary>
public sealed class PurchaseBatchTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Sends every purchase while the first item's row is held, then lets them go.</summary>
    private async Task<HttpResponseMessage[]> BuyBehindAHeldRowAsync(int heldItemId, IReadOnlyList<(HttpClient Buyer, int ItemId, int Quantity)> purchases)
    {
        Task<HttpResponseMessage[]> sent;
        await using (await api.HoldLockAsync($"SELECT 1 FROM items WHERE id = {heldItemId} FOR UPDATE"))
        {
            // The first purchase's batch waits for the row; the others queue for the next batch.
            var first = ItemsApi.PurchaseAsync(purchases[0].Buyer, purchases[0].ItemId, purchases[0].Quantity);
            await api.WaitForALockWaitAsync();
            var rest = purchases.Skip(1).Select(p => ItemsApi.PurchaseAsync(p.Buyer, p.ItemId, p.Quantity)).ToArray();
            sent = Task.WhenAll([first, .. rest]);
        }
        return await sent.WaitAsync(Patience);
    }

    private static string Answers(IEnumerable<HttpResponseMessage> responses) =>
        string.Join(", ", responses.GroupBy(r => (int)r.StatusCode).Select(g => $"{g.Key} x{g.Count()}"));

    private async Task<int> StockOfAsync(int itemId)
    {
        await using var db = api.OpenDb();
        return await db.Items.Where(i => i.Id == itemId).Select(i => i.Stock).SingleAsync();
    }

    [Fact]
    public async Task Purchases_sent_together_share_a_statement_and_each_gets_its_own_order_and_event()
    {
        using var batches = new BatchMeasurements("purchases");
        var items = new List<ItemResponse>();
        for (var i = 0; i < 8; i++)
            items.Add(await api.CreateItemAsync(new { name = $"Batch item {i}", price = 5m + i, tax = 0.5m, stock = 100 }));
        var buyers = Enumerable.Range(0, 64).Select(_ => api.AsUser(ItemsApi.NewUserId())).ToList();
        var purchases = buyers.Select((buyer, i) => (Buyer: buyer, ItemId: items[i % items.Count].Id, Quantity: (i % 3) + 1)).ToList();

        var responses = await BuyBehindAHeldRowAsync(purchases[0].ItemId, purchases);

        Assert.True(responses.All(r => r.StatusCode == HttpStatusCode.Created), $"All placed expected; answers: {Answers(responses)}");
        var orders = new List<OrderResponse>();
        foreach (var response in responses)
            orders.Add(await ItemsApi.ReadOrderAsync(response));
        for (var i = 0; i < purchases.Count; i++)
        {
            var item = items.Single(it => it.Id == purchases[i].ItemId);
            Assert.Equal(purchases[i].ItemId, orders[i].ItemId);
            Assert.Equal(purchases[i].Quantity, orders[i].Quantity);
            Assert.Equal(item.Name, orders[i].ItemName);
            Assert.Equal(item.Price + 0.5m, orders[i].UnitPrice);
            Assert.Equal((item.Price + 0.5m) * purchases[i].Quantity, orders[i].Total);
        }
        Assert.Equal(orders.Count, orders.Select(o => o.Id).Distinct().Count());
        foreach (var item in items)
        {
            var sold = purchases.Zip(orders).Where(p => p.First.ItemId == item.Id).ToList();
            Assert.Equal(100 - sold.Sum(p => p.First.Quantity), await StockOfAsync(item.Id));
            // One OrderPlaced per order, naming its order, price and total.
            var announced = (await api.OutboxOfAsync(item.Id)).Skip(1).Select(m => JsonDocument.Parse(m.Body).RootElement).ToList();
            Assert.Equal(sold.Select(p => p.Second.Id).Order(), announced.Select(e => e.GetProperty("order_id").GetInt32()).Order());
            Assert.All(announced, e => Assert.Equal(item.Price + 0.5m, e.GetProperty("unit_price").GetDecimal()));
        }
        Assert.True(batches.Largest > 1, $"Expected a batch of several purchases; batches: {string.Join(", ", batches.Sizes)}");

        ItemsApi.DisposeAll(responses, buyers);
    }

    [Fact]
    public async Task A_batch_that_wants_more_of_an_item_than_is_left_sells_what_purchases_one_at_a_time_would()
    {
        using var batches = new BatchMeasurements("purchases");
        var item = await api.CreateItemAsync(new { name = "Last few", price = 8m, stock = 5 });
        var buyers = Enumerable.Range(0, 12).Select(_ => api.AsUser(ItemsApi.NewUserId())).ToList();

        // 24 wanted, 5 in stock: two purchases of 2 can be placed, whichever goes first; then 1 is left.
        var responses = await BuyBehindAHeldRowAsync(item.Id, [.. buyers.Select(b => (b, item.Id, 2))]);

        var answers = Answers(responses);
        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.Created) == 2, $"2 placed expected; answers: {answers}");
        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.Conflict) == 10, $"10 refused expected; answers: {answers}");
        foreach (var refused in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
            Assert.Equal(1, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("available").GetInt32());
        Assert.Equal(1, await StockOfAsync(item.Id));
        Assert.Equal(2, (await api.OutboxOfAsync(item.Id)).Count(m => m.MessageType.StartsWith("Store.Contracts.OrderPlaced", StringComparison.Ordinal)));
        Assert.True(batches.Largest > 1, $"Expected the purchases to meet in a batch; batches: {string.Join(", ", batches.Sizes)}");
        // The batch left what it could not place to the single statement: it never broke on the
        // stock's check constraint and fell back to placing each purchase alone.
        Assert.Equal(0, batches.Splits);

        ItemsApi.DisposeAll(responses, buyers);
    }

    [Fact]
    public async Task A_purchase_of_a_missing_item_in_a_batch_is_404_and_the_others_are_placed()
    {
        var item = await api.CreateItemAsync(new { name = "Plenty", price = 3m, stock = 50 });
        var buyers = Enumerable.Range(0, 12).Select(_ => api.AsUser(ItemsApi.NewUserId())).ToList();
        const int missing = int.MaxValue - 7;
        var purchases = buyers.Select((buyer, i) => (buyer, i % 4 == 3 ? missing : item.Id, 1)).ToList();

        var responses = await BuyBehindAHeldRowAsync(item.Id, purchases);

        for (var i = 0; i < purchases.Count; i++)
            Assert.Equal(purchases[i].Item2 == missing ? HttpStatusCode.NotFound : HttpStatusCode.Created, responses[i].StatusCode);
        Assert.Equal(50 - 9, await StockOfAsync(item.Id));

        ItemsApi.DisposeAll(responses, buyers);
    }

    [Fact]
    public async Task An_items_orders_are_announced_in_the_order_they_were_placed_across_batches()
    {
        var item = await api.CreateItemAsync(new { name = "Ordered", price = 2m, stock = 1000 });
        var buyers = Enumerable.Range(0, 80).Select(_ => api.AsUser(ItemsApi.NewUserId())).ToList();

        var responses = await Task.WhenAll(buyers.Select(b => ItemsApi.PurchaseAsync(b, item.Id, 1)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        // Queued in id order, the relay's order: each later row announces a later order.
        var announced = (await api.OutboxOfAsync(item.Id)).Skip(1)
            .Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("order_id").GetInt32()).ToList();
        Assert.Equal(80, announced.Count);
        Assert.Equal(announced.Order(), announced);

        ItemsApi.DisposeAll(responses, buyers);
    }

    [Fact]
    public async Task Two_instances_buying_the_same_items_at_once_sell_each_item_exactly_out()
    {
        using var batches = new BatchMeasurements("purchases");
        await using var second = api.WithWebHostBuilder(_ => { });
        var items = new List<ItemResponse>();
        for (var i = 0; i < 4; i++)
            items.Add(await api.CreateItemAsync(new { name = $"Contested {i}", price = 6m, stock = 30 }));
        var clients = Enumerable.Range(0, 200)
            .Select(i => i % 2 == 0 ? api.AsUser(ItemsApi.NewUserId()) : ItemsApi.ClientOf(second, TestTokens.User(ItemsApi.NewUserId())))
            .ToList();

        // Each instance's batches lock several of the same rows; taken in id order, they never deadlock.
        var responses = await Task.WhenAll(clients.Select((client, i) => ItemsApi.PurchaseAsync(client, items[i % items.Count].Id, 1)));

        var answers = Answers(responses);
        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.Created) == 120, $"120 placed expected; answers: {answers}");
        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.Conflict) == 80, $"80 refused expected; answers: {answers}");
        foreach (var item in items)
            Assert.Equal(0, await StockOfAsync(item.Id));
        // No batch failed (a deadlock between the instances would have, and then placed its
        // purchases one by one with the same answers).
        Assert.Equal(0, batches.Splits);

        ItemsApi.DisposeAll(responses, clients);
    }
}
