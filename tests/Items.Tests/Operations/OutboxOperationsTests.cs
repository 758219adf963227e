using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Store.Testing;

namespace Store.Items.Tests.Operations;

/// <summary>
/// GET /api/items/outbox, /api/items/outbox/events and /api/items/queues (admin): what the operator's
/// page reads of the items service, against its real database and broker.
/// </summary>
public sealed class OutboxOperationsTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    [Theory]
    [InlineData("/api/items/outbox")]
    [InlineData("/api/items/outbox/events?correlation_id=anything")]
    [InlineData("/api/items/queues")]
    public async Task Only_admins_read_them(string path)
    {
        using var anonymous = api.Anonymous();
        using var user = api.AsUser();
        using var admin = api.AsAdmin();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task A_purchase_is_followed_by_its_request_id_to_its_published_event()
    {
        var item = await api.CreateItemAsync(new { name = "Followed lamp", price = 20m, stock = 3 });
        var requestId = $"follow-{Guid.NewGuid():N}";
        using var buyer = api.AsUser(ItemsApi.NewUserId(), "follower");
        using var purchase = new HttpRequestMessage(HttpMethod.Post, $"/api/items/{item.Id}/purchase") { Content = JsonContent.Create(new { quantity = 2 }) };
        purchase.Headers.Add("X-Request-Id", requestId);
        using var bought = await buyer.SendAsync(purchase);
        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        var orderId = (await bought.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        using var admin = api.AsAdmin();

        var events = await Eventually.GetAsync(
            async () => (await admin.GetFromJsonAsync<JsonElement>($"/api/items/outbox/events?correlation_id={requestId}")).EnumerateArray().ToList(),
            rows => rows.Count == 1 && rows[0].GetProperty("sent_at").ValueKind == JsonValueKind.String,
            TimeSpan.FromSeconds(15), "the purchase's published OrderPlaced");
        var placed = events[0];
        Assert.Equal(("OrderPlaced", requestId, $"item:{item.Id}"),
            (placed.GetProperty("event_type").GetString(), placed.GetProperty("correlation_id").GetString(), placed.GetProperty("ordering_key").GetString()));
        Assert.Equal((orderId, 2), (placed.GetProperty("data").GetProperty("order_id").GetInt32(), placed.GetProperty("data").GetProperty("quantity").GetInt32()));
        Assert.True(placed.GetProperty("sent_at").GetDateTimeOffset() >= placed.GetProperty("created_at").GetDateTimeOffset());

        var status = await admin.GetFromJsonAsync<JsonElement>("/api/items/outbox");
        Assert.Equal((0, 0, 0), (status.GetProperty("unsent").GetInt32(), status.GetProperty("waiting").GetInt32(), status.GetProperty("stuck").GetInt32()));
        Assert.Equal(JsonValueKind.Null, status.GetProperty("oldest_unsent_age_seconds").ValueKind);
        Assert.True(status.GetProperty("last_published_at").GetDateTimeOffset() >= placed.GetProperty("sent_at").GetDateTimeOffset());
        Assert.Equal("publishing", status.GetProperty("relay").GetProperty("status").GetString());

        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>("/api/items/outbox/events?correlation_id=nothing-here")).EnumerateArray());
    }

    [Theory]
    [InlineData("/api/items/outbox/events")]
    [InlineData("/api/items/outbox/events?correlation_id=")]
    public async Task Following_needs_a_request_id(string path)
    {
        using var admin = api.AsAdmin();
        using var response = await admin.GetAsync(path);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("correlation_id", out _));
    }

    [Fact]
    public async Task Following_refuses_an_id_longer_than_any_request_id()
    {
        using var admin = api.AsAdmin();
        using var response = await admin.GetAsync($"/api/items/outbox/events?correlation_id={new string('a', 129)}");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task The_queues_are_this_instances_cache_queue_with_its_consumer()
    {
        using var admin = api.AsAdmin();
        var queue = await Eventually.GetAsync(
            async () => Assert.Single((await admin.GetFromJsonAsync<JsonElement>("/api/items/queues")).EnumerateArray()),
            q => q.GetProperty("consumers").GetInt32() == 1, TimeSpan.FromSeconds(30), "the cache queue's consumer");
        Assert.StartsWith("items-cache-", queue.GetProperty("name").GetString());
        Assert.Equal(0, queue.GetProperty("error_messages").GetInt32());
    }
}
