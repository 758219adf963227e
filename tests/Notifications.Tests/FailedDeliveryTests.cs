using Store.Notifications.Data;
using Store.Testing;

namespace Store.Notifications.Tests;

/// <summary>With the SMTP server down, a send is retried, then recorded as failed, and the message waits in notifications_error.</summary>
public sealed class FailedDeliveryTests(NotificationsWithSmtpDown api) : IClassFixture<NotificationsWithSmtpDown>
{
    [Fact]
    public async Task A_send_that_keeps_failing_is_retried_then_recorded_as_failed_and_the_message_is_in_the_error_queue()
    {
        _ = api.Services;
        await using var publisher = await EventPublisher.StartAsync(api.Vhost.Name);
        var userId = NotificationsWithSmtpDown.NewUserId();
        var order = NotificationsWithSmtpDown.OrderPlaced(userId, $"unlucky-{userId}@example.com");

        await publisher.PublishAsync(order, order.EventId);

        var row = Assert.Single(await api.WaitForNotificationsAsync(userId));
        Assert.Equal((Notification.Failed, 1 + NotificationsFactory.RetryLimit), (row.Status, row.Attempts));
        Assert.Null(row.SentAt);
        Assert.False(string.IsNullOrEmpty(row.LastError));
        await Eventually.GetAsync(() => api.Vhost.CountMessagesAsync("notifications_error"), n => n == 1,
            TimeSpan.FromSeconds(30), "the message in notifications_error");
    }
}
