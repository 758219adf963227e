using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Store.Contracts;
using Store.Notifications.Data;
using Store.Testing;

namespace Store.Notifications.Tests;

/// <summary>OrderPlaced and UserRegistered become e-mails over SMTP, once each (docs/contract.md, Notification service).</summary>
public sealed class DeliveryTests(NotificationsApi api) : IClassFixture<NotificationsApi>, IAsyncLifetime
{
    private EventPublisher _publisher = null!;

    public async Task InitializeAsync()
    {
        _ = api.Services; // starts the service, which binds its queue
        _publisher = await EventPublisher.StartAsync(api.Vhost.Name);
    }

    public async Task DisposeAsync() => await _publisher.DisposeAsync();

    [Fact]
    public async Task An_order_sends_a_purchase_confirmation_to_the_buyer_and_records_it_as_sent()
    {
        var userId = NotificationsApi.NewUserId();
        var email = $"buyer-{userId}@example.com";
        var order = NotificationsApi.OrderPlaced(userId, email, correlationId: "req-order-1");

        await _publisher.PublishAsync(order, order.EventId);

        var received = Assert.Single(await api.Smtp.WaitForAsync(email));
        Assert.Equal($"Your order #{order.OrderId}: Teapot", received.Subject);
        Assert.Contains("2 x Teapot", received.Body, StringComparison.Ordinal);
        Assert.Contains("25.00", received.Body, StringComparison.Ordinal);
        Assert.Equal($"<{order.EventId}@store.local>", received.MessageId);
        var row = Assert.Single(await api.WaitForNotificationsAsync(userId));
        Assert.Equal((Notification.Sent, 1, email, "email", "req-order-1"), (row.Status, row.Attempts, row.Recipient, row.Channel, row.CorrelationId));
        Assert.NotNull(row.SentAt);
    }

    [Fact]
    public async Task A_new_user_gets_a_welcome_email()
    {
        var userId = NotificationsApi.NewUserId();
        var email = $"new-{userId}@example.com";
        var registered = new UserRegistered(userId, "carol", email, "Carol King").Sent(correlationId: "req-reg");

        await _publisher.PublishAsync(registered, registered.EventId);

        var received = Assert.Single(await api.Smtp.WaitForAsync(email));
        Assert.Equal("Welcome to the store", received.Subject);
        Assert.Contains("Carol King", received.Body, StringComparison.Ordinal);
        Assert.Equal(Notification.Sent, Assert.Single(await api.WaitForNotificationsAsync(userId)).Status);
    }

    [Fact]
    public async Task The_same_event_delivered_several_times_at_once_makes_one_record_and_one_email()
    {
        var userId = NotificationsApi.NewUserId();
        var email = $"twice-{userId}@example.com";
        var order = NotificationsApi.OrderPlaced(userId, email);
        var marker = NotificationsApi.OrderPlaced(userId, email);

        // Several copies in a row reach the consumer's concurrent slots together, so they race for the row.
        for (var copy = 0; copy < 6; copy++)
            await _publisher.PublishAsync(order, order.EventId);
        await _publisher.PublishAsync(marker, marker.EventId);
        await api.WaitForNotificationsAsync(userId, 2);
        await Eventually.GetAsync(() => api.Vhost.CountMessagesAsync("notifications"), n => n == 0, TimeSpan.FromSeconds(30), "an empty notifications queue");

        Assert.Equal(new[] { order.EventId, marker.EventId }.Order(), (await api.NotificationsOfAsync(userId)).Select(n => n.EventId).Order());
        Assert.Equal(2, api.Smtp.ReceivedBy(email).Count);
        Assert.Single(api.Smtp.ReceivedBy(email), e => e.MessageId == $"<{order.EventId}@store.local>");
    }

    [Fact]
    public async Task A_user_who_turned_email_notifications_off_gets_a_skipped_record_and_no_email()
    {
        var userId = NotificationsApi.NewUserId();
        var email = $"quiet-{userId}@example.com";
        var optOut = new UserSettingsChanged(userId, EmailNotifications: false).Sent(userId, "dave");
        await _publisher.PublishAsync(optOut, optOut.EventId);
        await Eventually.GetAsync(async () =>
        {
            await using var db = api.OpenDb();
            return await db.UserPreferences.FindAsync(userId);
        }, p => p is { EmailNotifications: false }, TimeSpan.FromSeconds(30), "the opt-out");
        var order = NotificationsApi.OrderPlaced(userId, email);

        await _publisher.PublishAsync(order, order.EventId);

        var row = Assert.Single(await api.WaitForNotificationsAsync(userId));
        Assert.Equal((Notification.Skipped, 0, (DateTimeOffset?)null), (row.Status, row.Attempts, row.SentAt));
        Assert.Empty(api.Smtp.ReceivedBy(email));
    }

    [Fact]
    public async Task An_older_settings_event_arriving_late_does_not_overwrite_a_newer_choice()
    {
        var userId = NotificationsApi.NewUserId();
        var now = DateTimeOffset.UtcNow;
        var newer = new UserSettingsChanged(userId, EmailNotifications: true).Sent(userId, "erin", at: now);
        var older = new UserSettingsChanged(userId, EmailNotifications: false).Sent(userId, "erin", at: now.AddMinutes(-1));

        using var consumed = new ConsumeWatch(api.Services.GetRequiredService<IBus>());
        await _publisher.PublishAsync(newer, newer.EventId);
        await _publisher.PublishAsync(older, older.EventId);
        await consumed.WaitForAsync(newer.EventId, older.EventId);

        await using var check = api.OpenDb();
        Assert.True((await check.UserPreferences.FindAsync(userId))!.EmailNotifications);
    }
}
