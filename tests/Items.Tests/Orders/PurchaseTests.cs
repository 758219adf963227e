using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Store.Contracts;
using Store.Items.Catalog;
using Store.Items.Orders;
using Store.Testing;

namespace Store.Items.Tests.Orders;

/// <summary>Buying (docs/contract.md, POST /api/items/{id}/purchase and POST /api/orders).</summary>
public sealed class PurchaseTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private static readonly JsonSerializerOptions Json = ItemsApi.Json;

    private static StringContent JsonBody(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task Purchase_returns_201_with_the_order_and_takes_the_stock()
    {
        var item = await api.CreateItemAsync(new { name = "Teapot", price = 10m, tax = 2.5m, stock = 5 });
        var userId = ItemsApi.NewUserId();
        using var user = api.AsUser(userId, "bob");
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        using var response = await ItemsApi.PurchaseAsync(user, item.Id, 2);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var order = await ItemsApi.ReadOrderAsync(response);
        Assert.Equal($"/api/orders/{order.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal((item.Id, "Teapot", 2, 12.5m, 25m, userId, "placed"),
            (order.ItemId, order.ItemName, order.Quantity, order.UnitPrice, order.Total, order.UserId, order.Status));
        Assert.InRange(order.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        var raw = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(12.5m, raw.GetProperty("unit_price").GetDecimal());
        Assert.Equal(item.Id, raw.GetProperty("item_id").GetInt32());

        var after = await user.GetFromJsonAsync<ItemResponse>($"/api/items/{item.Id}", Json);
        Assert.Equal(3, after!.Stock);
        var fetched = await user.GetFromJsonAsync<OrderResponse>(response.Headers.Location, Json);
        Assert.Equal(order, fetched);
    }

    [Fact]
    public async Task Post_orders_is_the_same_purchase_with_the_item_in_the_body()
    {
        var item = await api.CreateItemAsync(new { name = "Cup", price = 3m, stock = 4 });
        using var user = api.AsUser(ItemsApi.NewUserId());

        using var response = await ItemsApi.PlaceOrderAsync(user, item.Id, 4);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var order = await ItemsApi.ReadOrderAsync(response);
        Assert.Equal((item.Id, 4, 3m, 12m), (order.ItemId, order.Quantity, order.UnitPrice, order.Total));
        var after = await user.GetFromJsonAsync<ItemResponse>($"/api/items/{item.Id}", Json);
        Assert.Equal(0, after!.Stock);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Purchase_beyond_stock_returns_409_with_requested_and_available(bool viaOrders)
    {
        var item = await api.CreateItemAsync(new { name = "Saucer", price = 2m, stock = 3 });
        using var user = api.AsUser(ItemsApi.NewUserId());

        using var response = viaOrders
            ? await ItemsApi.PlaceOrderAsync(user, item.Id, 10)
            : await ItemsApi.PurchaseAsync(user, item.Id, 10);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("insufficient_stock", problem.GetProperty("error").GetString());
        Assert.Equal(10, problem.GetProperty("requested").GetInt32());
        Assert.Equal(3, problem.GetProperty("available").GetInt32());
        Assert.Equal($"Item {item.Id}: requested 10, only 3 available", problem.GetProperty("detail").GetString());
        var after = await user.GetFromJsonAsync<ItemResponse>($"/api/items/{item.Id}", Json);
        Assert.Equal(3, after!.Stock);
        Assert.DoesNotContain(await api.OutboxOfAsync(item.Id), m => m.MessageType.Contains(nameof(OrderPlaced), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Purchase_of_a_missing_item_is_404_naming_it(bool viaOrders)
    {
        using var user = api.AsUser(ItemsApi.NewUserId());

        using var response = viaOrders
            ? await ItemsApi.PlaceOrderAsync(user, 987654, 1)
            : await ItemsApi.PurchaseAsync(user, 987654, 1);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Item 987654 not found", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("\"quantity\": 0")]
    [InlineData("\"quantity\": -1")]
    [InlineData("\"quantity\": 1001")]
    [InlineData("")]
    public async Task A_quantity_outside_1_to_1000_is_422_and_buys_nothing(string quantity)
    {
        var item = await api.CreateItemAsync(new { name = "Spoon", price = 1m, stock = 2000 });
        using var user = api.AsUser(ItemsApi.NewUserId());
        var itemId = $"\"item_id\": {item.Id}";

        using var purchase = await user.PostAsync($"/api/items/{item.Id}/purchase", JsonBody($"{{{quantity}}}"));
        using var order = await user.PostAsync("/api/orders", JsonBody(quantity.Length == 0 ? $"{{{itemId}}}" : $"{{{itemId}, {quantity}}}"));

        foreach (var response in new[] { purchase, order })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty("quantity", out _));
        }
        var after = await user.GetFromJsonAsync<ItemResponse>($"/api/items/{item.Id}", Json);
        Assert.Equal(2000, after!.Stock);
    }

    [Fact]
    public async Task An_order_without_an_item_id_is_422()
    {
        using var user = api.AsUser(ItemsApi.NewUserId());

        using var response = await user.PostAsJsonAsync("/api/orders", new { quantity = 1 });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("item_id", out _));
    }

    [Fact]
    public async Task The_order_placed_event_carries_the_order_the_buyer_and_the_request_id()
    {
        await using var events = await EventCollector.StartAsync<OrderPlaced>(api.Vhost.Name);
        var item = await api.CreateItemAsync(new { name = "Jug", price = 7m, tax = 1m, stock = 9 });
        var userId = ItemsApi.NewUserId();
        using var user = api.AsUser(userId, "carol");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/items/{item.Id}/purchase") { Content = JsonContent.Create(new { quantity = 3 }) };
        request.Headers.Add("X-Request-Id", "purchase-req-42");

        using var response = await user.SendAsync(request);
        var order = await ItemsApi.ReadOrderAsync(response);

        var delivery = (await events.WaitForAsync(1, e => e.ItemId == item.Id)).Single();
        var placed = delivery.Message;
        Assert.Equal((order.Id, item.Id, "Jug", 3, 8m, 24m), (placed.OrderId, placed.ItemId, placed.ItemName, placed.Quantity, placed.UnitPrice, placed.Total));
        Assert.Equal((userId, "carol", "carol@example.com"), (placed.UserId, placed.Username, placed.Email));
        Assert.Equal((userId, "carol"), (placed.ActorId, placed.ActorName));
        Assert.Equal("purchase-req-42", placed.CorrelationId);
        Assert.Equal("purchase-req-42", delivery.RequestId);
        Assert.Equal(placed.EventId, delivery.MessageId);
        Assert.Equal(order.CreatedAt, placed.OccurredAt);
    }

    [Fact]
    public async Task An_order_keeps_its_snapshot_after_the_item_is_repriced_and_deleted()
    {
        var item = await api.CreateItemAsync(new { name = "Lamp", price = 30m, stock = 2 });
        using var user = api.AsUser(ItemsApi.NewUserId());
        using var admin = api.AsAdmin();
        using var bought = await ItemsApi.PurchaseAsync(user, item.Id, 1);
        var order = await ItemsApi.ReadOrderAsync(bought);

        using var repriced = await admin.PatchAsJsonAsync($"/api/items/{item.Id}", new { name = "Old lamp", price = 99m });
        using var deleted = await admin.DeleteAsync($"/api/items/{item.Id}");
        using var fetched = await user.GetAsync($"/api/orders/{order.Id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal(order, await fetched.Content.ReadFromJsonAsync<OrderResponse>(Json));
    }

    [Theory]
    [InlineData("POST", "/api/items/1/purchase")]
    [InlineData("POST", "/api/orders")]
    [InlineData("GET", "/api/orders")]
    [InlineData("GET", "/api/orders/1")]
    public async Task Without_a_token_orders_are_401(string method, string path)
    {
        using var client = api.Anonymous();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
            request.Content = JsonContent.Create(new { item_id = 1, quantity = 1 });

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task An_admin_can_buy_too()
    {
        var item = await api.CreateItemAsync(new { name = "Rug", price = 50m, stock = 1 });
        using var admin = api.AsAdmin();

        using var response = await ItemsApi.PurchaseAsync(admin, item.Id, 1);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, (await ItemsApi.ReadOrderAsync(response)).UserId);
    }
}
