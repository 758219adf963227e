using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Store.Testing;

namespace Store.EndToEnd.Tests;

/// <summary>The story a client lives, only through the gateway, with every service real.</summary>
public sealed class StoryTests(Suite suite) : IClassFixture<Suite>
{
    [Fact]
    public async Task Register_log_in_buy_and_the_purchase_is_audited_and_notified_then_a_deleted_user_is_audited()
    {
        // Register and log in.
        var username = Suite.Unique("shopper");
        using (var anonymous = suite.Client())
        {
            using var registered = await anonymous.PostAsJsonAsync("/api/users",
                new { username, email = $"{username}@example.com", full_name = "Sam Shopper", password = "shopper-password" });
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }
        var userToken = await suite.LogInAsync(username, "shopper-password");
        var adminToken = await suite.LogInAsync(Suite.AdminUsername, Suite.AdminPassword);
        using var user = suite.Client(userToken);
        using var admin = suite.Client(adminToken);
        var me = await user.GetFromJsonAsync<JsonElement>("/api/users/me");
        var userId = me.GetProperty("id").GetInt32();

        // The admin creates an item; the user lists and reads it.
        using var created = await admin.PostAsJsonAsync("/api/items", new { name = $"Lamp {username}", price = 20m, tax = 2m, stock = 1 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var itemId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var listed = await user.GetFromJsonAsync<JsonElement>($"/api/items?search={Uri.EscapeDataString(username)}");
        Assert.Equal(itemId, Assert.Single(listed.EnumerateArray()).GetProperty("id").GetInt32());
        var item = await user.GetFromJsonAsync<JsonElement>($"/api/items/{itemId}");
        Assert.Equal(22m, item.GetProperty("price_with_tax").GetDecimal());

        // The user buys it; the next purchase finds no stock.
        var requestId = $"e2e-{username}";
        using var purchase = new HttpRequestMessage(HttpMethod.Post, $"/api/items/{itemId}/purchase") { Content = JsonContent.Create(new { quantity = 1 }) };
        purchase.Headers.Add("X-Request-Id", requestId);
        using var bought = await user.SendAsync(purchase);
        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        Assert.Equal(requestId, bought.Headers.GetValues("X-Request-Id").Single());
        var orderId = (await bought.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        using var soldOut = await user.PostAsJsonAsync($"/api/items/{itemId}/purchase", new { quantity = 1 });
        Assert.Equal(HttpStatusCode.Conflict, soldOut.StatusCode);
        Assert.Equal("insufficient_stock", (await soldOut.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());

        // Within a few seconds the audit row and the e-mail notification exist, tied to the purchase.
        var auditRow = await Eventually.GetAsync(
            async () => (await admin.GetFromJsonAsync<JsonElement>("/api/audit?event_type=OrderPlaced&limit=100"))
                .EnumerateArray().Where(row => row.GetProperty("correlation_id").GetString() == requestId).ToList(),
            rows => rows.Count > 0, TimeSpan.FromSeconds(15), "the purchase's audit row");
        var audited = Assert.Single(auditRow);
        Assert.Equal(userId, audited.GetProperty("actor_id").GetInt32());
        var notifications = await Eventually.GetAsync(
            async () => (await user.GetFromJsonAsync<JsonElement>("/api/notifications/me"))
                .EnumerateArray().Where(n => n.GetProperty("event_id").GetString() == audited.GetProperty("event_id").GetString()).ToList(),
            found => found.Count > 0, TimeSpan.FromSeconds(15), "the purchase's notification");
        var notification = Assert.Single(notifications);
        Assert.Equal($"{username}@example.com", notification.GetProperty("recipient").GetString());
        Assert.Contains(orderId.ToString(System.Globalization.CultureInfo.InvariantCulture), audited.GetProperty("data").GetRawText(), StringComparison.Ordinal);

        // The admin deletes the user; the audit log shows it, and the user's token stops working at the users service.
        using var deleted = await admin.DeleteAsync($"/api/users/{userId}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Eventually.GetAsync(
            async () => (await admin.GetFromJsonAsync<JsonElement>("/api/audit?event_type=UserDeleted&limit=100"))
                .EnumerateArray().Where(row => row.GetProperty("actor_name").GetString() == Suite.AdminUsername).ToList(),
            rows => rows.Count > 0, TimeSpan.FromSeconds(15), "the deletion's audit row");
        using var afterDeletion = await user.GetAsync("/api/users/me");
        Assert.Equal(HttpStatusCode.Unauthorized, afterDeletion.StatusCode);
    }

    [Fact]
    public async Task The_gateway_reports_every_service_ready()
    {
        using var client = suite.Client();
        var health = await Eventually.GetAsync(
            async () =>
            {
                using var response = await client.GetAsync("/health");
                return (response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>());
            },
            answer => answer.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "a healthy suite");
        foreach (var service in new[] { "users", "items", "audit", "notifications" })
            Assert.Equal("healthy", health.Body.GetProperty("services").GetProperty(service).GetProperty("status").GetString());
    }
}
