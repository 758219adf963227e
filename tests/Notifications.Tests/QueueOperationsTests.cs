using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Store.Contracts;
using Store.Notifications.Data;
using Store.Testing;

namespace Store.Notifications.Tests;

/// <summary>
/// GET /api/notifications/queues and POST /api/notifications/queues/notifications/replay (admin), with
/// the SMTP server down: a purchase's e-mail fails into notifications_error, is listed there, and the
/// replay sends it through its attempts again and announces itself for the audit log.
/// </summary>
public sealed class QueueOperationsTests(NotificationsWithSmtpDown api) : IClassFixture<NotificationsWithSmtpDown>
{
    [Fact]
    public async Task Only_admins_read_and_replay_the_queues()
    {
        using var anonymous = api.Anonymous();
        using var user = api.AsUser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/notifications/queues")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/api/notifications/queues")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/notifications/queues/notifications/replay", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsync("/api/notifications/queues/notifications/replay", null)).StatusCode);
        using var admin = api.AsAdmin();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/notifications/queues/audit-log/replay", null)).StatusCode);
    }

    [Fact]
    public async Task A_failed_e_mail_is_listed_in_the_error_queue_and_the_replay_tries_it_again()
    {
        _ = api.Services;
        await using var replays = await EventCollector.StartAsync<ErrorMessagesReplayed>(api.Vhost.Name);
        await using var publisher = await EventPublisher.StartAsync(api.Vhost.Name);
        var userId = NotificationsWithSmtpDown.NewUserId();
        var order = NotificationsWithSmtpDown.OrderPlaced(userId, $"queued-{userId}@example.com");
        await publisher.PublishAsync(order, order.EventId);
        await api.WaitForNotificationsAsync(userId);
        using var admin = api.AsAdmin();

        var queue = await Eventually.GetAsync(
            async () => (await admin.GetFromJsonAsync<JsonElement>("/api/notifications/queues")).EnumerateArray()
                .Single(q => q.GetProperty("name").GetString() == "notifications"),
            // The management API's statistics (depths and consumers alike) lag by a few seconds.
            q => q.GetProperty("error_messages").GetInt32() == 1 && q.GetProperty("consumers").GetInt32() >= 1
                 && q.GetProperty("messages").GetInt32() == 0,
            TimeSpan.FromSeconds(30), "notifications_error holding the e-mail, notifications empty with its consumer");

        using var replay = await admin.PostAsync("/api/notifications/queues/notifications/replay", null);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var result = await replay.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((1, true), (result.GetProperty("replayed").GetInt32(), result.GetProperty("recorded").GetBoolean()));

        // Still no SMTP server: the replayed message is tried RetryLimit + 1 more times and fails again.
        var row = await Eventually.GetAsync(async () => (await api.NotificationsOfAsync(userId)).Single(),
            n => n.Attempts == 2 * (1 + NotificationsFactory.RetryLimit) && n.Status == Notification.Failed,
            TimeSpan.FromSeconds(30), "the second round of attempts");
        Assert.Null(row.SentAt);
        var announced = Assert.Single(await replays.WaitForAsync(1, e => e.Queue == "notifications"));
        Assert.Equal((1, 1, "admin"), (announced.Message.Count, announced.Message.ActorId, announced.Message.ActorName));
        Assert.Equal(replay.Headers.GetValues("X-Request-Id").Single(), announced.Message.CorrelationId);
    }
}
