using Store.Notifications.Data;
using Store.Testing;

namespace Store.Consumers.Tests;

/// <summary>A purchase through the items service, as the audit log and the notification service see it.</summary>
public sealed class PurchaseFlowTests(PurchaseFlow flow) : IClassFixture<PurchaseFlow>
{
    [Fact]
    public async Task A_purchase_makes_one_audit_entry_and_one_email_both_with_its_correlation_id()
    {
        var (orderId, userId, name, requestId) = await flow.PlaceOrderAsync();

        var email = Assert.Single(await flow.Smtp.WaitForAsync($"{name}@example.com"));
        Assert.Equal($"Your order #{orderId}: Kettle", email.Subject);
        var audit = await Eventually.GetAsync(() => flow.AuditOfOrderAsync(orderId), rows => rows.Count >= 1, TimeSpan.FromSeconds(30), "the order's audit entry");
        var notifications = await Eventually.GetAsync(() => flow.NotificationsOfAsync(userId), rows => rows.Count >= 1 && rows[0].Status == Notification.Sent,
            TimeSpan.FromSeconds(30), "the sent notification");
        // Both queues drained: nothing more is on its way.
        await Eventually.GetAsync(async () => (await flow.Items.Vhost.CountMessagesAsync("audit-log") ?? -1) + (await flow.Items.Vhost.CountMessagesAsync("notifications") ?? -1),
            n => n == 0, TimeSpan.FromSeconds(30), "empty audit-log and notifications queues");

        var entry = Assert.Single(await flow.AuditOfOrderAsync(orderId));
        Assert.Equal((requestId, "placed", userId, name), (entry.CorrelationId, entry.Action, entry.ActorId, entry.ActorName));
        var notification = Assert.Single(await flow.NotificationsOfAsync(userId));
        Assert.Equal((requestId, entry.EventId), (notification.CorrelationId, notification.EventId));
        Assert.Single(flow.Smtp.ReceivedBy($"{name}@example.com"));
        Assert.Single(audit);
        Assert.Single(notifications);
    }

    [Fact]
    public async Task On_a_fresh_broker_the_consumers_queues_are_quorum_queues()
    {
        foreach (var queue in Store.Contracts.Subscriptions.Queues.Keys)
            Assert.Equal("quorum", await flow.Items.Vhost.QueueTypeAsync(queue));
    }
}

/// <summary>
/// Consumers' queues that an earlier version declared as classic queues: the services start on them,
/// keep them classic (a quorum declaration would be refused), and a purchase reaches both consumers.
/// </summary>
public sealed class ClassicQueueFlowTests(PurchaseFlowOnClassicQueues flow) : IClassFixture<PurchaseFlowOnClassicQueues>
{
    [Fact]
    public async Task Services_started_on_classic_queues_keep_them_and_a_purchase_reaches_both_consumers()
    {
        var order = await flow.PlaceOrderAsync();

        Assert.Single(await flow.Smtp.WaitForAsync($"{order.UserName}@example.com"));
        await Eventually.GetAsync(() => flow.AuditOfOrderAsync(order.OrderId), rows => rows.Count == 1, TimeSpan.FromSeconds(30), "the order's audit entry");
        await Eventually.GetAsync(() => flow.NotificationsOfAsync(order.UserId), rows => rows.Count == 1 && rows[0].Status == Notification.Sent,
            TimeSpan.FromSeconds(30), "the sent notification");
        foreach (var queue in Store.Contracts.Subscriptions.Queues.Keys)
            Assert.Equal("classic", await flow.Items.Vhost.QueueTypeAsync(queue));
    }
}
