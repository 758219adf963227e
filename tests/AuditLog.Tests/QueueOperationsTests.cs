using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Store.Testing;

namespace Store.AuditLog.Tests;

/// <summary>
/// GET /api/audit/queues and POST /api/audit/queues/{queue}/replay (admin): the audit-log queue as
/// RabbitMQ's management API sees it, and its _error queue moved back and the replay audited.
/// </summary>
public sealed class QueueOperationsTests(AuditApi api) : IClassFixture<AuditApi>
{
    [Fact]
    public async Task Only_admins_read_and_replay_the_queues()
    {
        _ = api.Services;
        using var anonymous = api.Anonymous();
        using var user = api.AsUser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/audit/queues")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/api/audit/queues")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/audit/queues/audit-log/replay", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsync("/api/audit/queues/audit-log/replay", null)).StatusCode);

        using var admin = api.AsAdmin();
        using var unknown = await admin.PostAsync("/api/audit/queues/notifications/replay", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("notifications", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_message_in_the_error_queue_is_listed_replayed_recorded_and_the_replay_is_audited()
    {
        _ = api.Services;
        var actor = AuditApi.NewActorId();
        var failed = AuditApi.ItemCreated(actor, 8, "req-failed");
        await using (var publisher = await EventPublisher.StartAsync(api.Vhost.Name))
            await publisher.SendToQueueAsync(failed, failed.EventId, "audit-log_error", "req-failed");
        using var admin = api.AsAdmin();

        // The management API's statistics (depths and consumers alike) lag by a few seconds.
        var listed = await Eventually.GetAsync(
            async () => (await admin.GetFromJsonAsync<JsonElement>("/api/audit/queues")).EnumerateArray().ToList(),
            queues => queues.Any(q => q.GetProperty("name").GetString() == "audit-log"
                && q.GetProperty("error_messages").GetInt32() == 1 && q.GetProperty("consumers").GetInt32() >= 1),
            TimeSpan.FromSeconds(30), "audit-log_error holding one message, audit-log its consumer");
        var queue = Assert.Single(listed);
        Assert.Equal("audit-log_error", queue.GetProperty("error_queue").GetString());
        Assert.Empty(await api.EntriesOfAsync(actor));

        using var replay = await admin.PostAsync("/api/audit/queues/audit-log/replay", null);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var result = await replay.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, result.GetProperty("replayed").GetInt32());
        Assert.True(result.GetProperty("recorded").GetBoolean());

        // The replayed event is recorded, and so is the replay itself, as the admin's (TestTokens.Admin: id 1).
        var entry = Assert.Single(await api.WaitForEntriesAsync(actor, 1));
        Assert.Equal((failed.EventId, "req-failed"), (entry.EventId, entry.CorrelationId));
        var replayRequest = replay.Headers.GetValues("X-Request-Id").Single();
        var audited = await Eventually.GetAsync(
            async () => (await admin.GetFromJsonAsync<JsonElement>($"/api/audit?correlation_id={replayRequest}")).EnumerateArray().ToList(),
            entries => entries.Count > 0, TimeSpan.FromSeconds(30), "the replay's audit entry");
        var replayed = Assert.Single(audited);
        Assert.Equal(("ErrorMessagesReplayed", "replayed", "queue", "audit-log"),
            (replayed.GetProperty("event_type").GetString(), replayed.GetProperty("action").GetString(),
             replayed.GetProperty("resource_type").GetString(), replayed.GetProperty("resource_id").GetString()));
        Assert.Equal(1, replayed.GetProperty("data").GetProperty("count").GetInt32());
        Assert.Equal(1, replayed.GetProperty("actor_id").GetInt32());

        // Nothing is left to replay.
        using var again = await admin.PostAsync("/api/audit/queues/audit-log/replay", null);
        Assert.Equal(0, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replayed").GetInt32());
    }
}
