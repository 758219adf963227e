using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Store.AuditLog.Data;
using Store.Notifications.Data;
using Store.Testing;

namespace Store.Consumers.Tests;

/// <summary>A purchase through the items service, as the audit log and the notification service see it.</summary>
public sealed class PurchaseFlowTests(PurchaseFlow flow) : IClassFixture<PurchaseFlow>
{
    [Fact]
    public async Task A_purchase_makes_one_audit_entry_and_one_email_both_with_its_correlation_id()
    {
        using var admin = flow.Items.AsAdmin();
        using var created = await admin.PostAsJsonAsync("/api/items", new { name = "Kettle", price = 20m, stock = 5 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var itemId = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt32();
        var userId = Random.Shared.Next(1_000, int.MaxValue);
        var name = $"buyer{userId}";
        using var buyer = flow.Items.AsUser(userId, name);
        var requestId = $"purchase-{Guid.NewGuid():N}";

        using var purchase = new HttpRequestMessage(HttpMethod.Post, $"/api/items/{itemId}/purchase") { Content = JsonContent.Create(new { quantity = 2 }) };
        purchase.Headers.Add("X-Request-Id", requestId);
        using var response = await buyer.SendAsync(purchase);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var orderId = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt32();

        var email = Assert.Single(await flow.Smtp.WaitForAsync($"{name}@example.com"));
        Assert.Equal($"Your order #{orderId}: Kettle", email.Subject);
        var audit = await Eventually.GetAsync(() => AuditOfOrderAsync(orderId), rows => rows.Count >= 1, TimeSpan.FromSeconds(30), "the order's audit entry");
        var notifications = await Eventually.GetAsync(() => NotificationsOfAsync(userId), rows => rows.Count >= 1 && rows[0].Status == Notification.Sent,
            TimeSpan.FromSeconds(30), "the sent notification");
        // Both queues drained: nothing more is on its way.
        await Eventually.GetAsync(async () => (await flow.Items.Vhost.CountMessagesAsync("audit-log") ?? -1) + (await flow.Items.Vhost.CountMessagesAsync("notifications") ?? -1),
            n => n == 0, TimeSpan.FromSeconds(30), "empty audit-log and notifications queues");

        var entry = Assert.Single(await AuditOfOrderAsync(orderId));
        Assert.Equal((requestId, "placed", userId, name), (entry.CorrelationId, entry.Action, entry.ActorId, entry.ActorName));
        var notification = Assert.Single(await NotificationsOfAsync(userId));
        Assert.Equal((requestId, entry.EventId), (notification.CorrelationId, notification.EventId));
        Assert.Single(flow.Smtp.ReceivedBy($"{name}@example.com"));
        Assert.Single(audit);
        Assert.Single(notifications);
    }

    private async Task<List<AuditEntry>> AuditOfOrderAsync(int orderId)
    {
        await using var db = new AuditDb(flow.Audit.Database.Options<AuditDb>());
        var id = orderId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await db.Entries.AsNoTracking().Where(e => e.ResourceType == "order" && e.ResourceId == id).ToListAsync();
    }

    private async Task<List<Notification>> NotificationsOfAsync(int userId)
    {
        await using var db = new NotificationsDb(flow.Notifications.Database.Options<NotificationsDb>());
        return await db.Notifications.AsNoTracking().Where(n => n.UserId == userId).ToListAsync();
    }
}
