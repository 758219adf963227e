using Store.Notifications.Data;
using Store.Testing;

namespace Store.Notifications.Tests;

/// <summary>
/// Smtp:MaxConcurrentSends is the most e-mails the SMTP server can have accepted before "sent" is
/// recorded (README, "Settings"): no more connections than that at once, and that many in parallel.
/// </summary>
public sealed class SmtpSendWindowTests(NotificationsWithTwoSendsAtOnce api) : IClassFixture<NotificationsWithTwoSendsAtOnce>
{
    [Fact]
    public async Task A_batch_of_emails_keeps_to_MaxConcurrentSends_connections_at_the_SMTP_server()
    {
        _ = api.Services;
        await using var publisher = await EventPublisher.StartAsync(api.Vhost.Name);
        // A slow server: the e-mails of a batch queue behind the window rather than finishing one by one.
        api.Smtp.AcceptDelay = TimeSpan.FromMilliseconds(200);
        var userId = NotificationsFactory.NewUserId();
        var email = $"window-{userId}@example.com";

        for (var i = 0; i < 12; i++)
        {
            var order = NotificationsFactory.OrderPlaced(userId, email);
            await publisher.PublishAsync(order, order.EventId);
        }
        var rows = await api.WaitForNotificationsAsync(userId, 12);

        Assert.All(rows, row => Assert.Equal(Notification.Sent, row.Status));
        Assert.Equal(12, api.Smtp.ReceivedBy(email).Count);
        Assert.Equal(2, api.Smtp.MostSessionsAtOnce);
    }
}

/// <summary>
/// Runs alone, after the parallel tests: it reads the outcome batches' sizes, which every
/// notification service of this process reports under one name.
/// </summary>
[CollectionDefinition(nameof(OutcomeBatchSizes), DisableParallelization = true)]
public sealed class OutcomeBatchSizes;

/// <summary>
/// E-mails written to the log reach no one, so Smtp:MaxConcurrentSends (1 here) does not hold them
/// back: a batch's e-mails are written together and their outcomes recorded in one statement.
/// </summary>
[Collection(nameof(OutcomeBatchSizes))]
public sealed class LogDeliveryTests(NotificationsToTheLog api) : IClassFixture<NotificationsToTheLog>
{
    [Fact]
    public async Task Emails_to_the_log_are_recorded_as_sent_in_batches_wider_than_MaxConcurrentSends()
    {
        _ = api.Services;
        await using var publisher = await EventPublisher.StartAsync(api.Vhost.Name);
        using var outcomes = new BatchMeasurements("notification-outcomes");
        var userId = NotificationsFactory.NewUserId();

        // All at once, so that they reach the consumer together.
        var orders = Enumerable.Range(0, 40).Select(_ => NotificationsFactory.OrderPlaced(userId, $"log-{userId}@example.com")).ToList();
        await Task.WhenAll(orders.Select(order => publisher.PublishAsync(order, order.EventId)));
        var rows = await api.WaitForNotificationsAsync(userId, 40);

        Assert.All(rows, row => Assert.Equal((Notification.Sent, 1), (row.Status, row.Attempts)));
        Assert.Empty(api.Smtp.Received);
        Assert.True(outcomes.Largest > 1, $"Outcome batches of more than 1 expected; sizes: {string.Join(", ", outcomes.Sizes)}");
    }
}
