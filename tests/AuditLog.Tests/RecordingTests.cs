using System.Text.Json;
using Store.Contracts;
using Store.Testing;

namespace Store.AuditLog.Tests;

/// <summary>Every event becomes one audit entry, once (docs/contract.md, Audit-log service).</summary>
public sealed class RecordingTests(AuditApi api) : IClassFixture<AuditApi>, IAsyncLifetime
{
    private EventPublisher _publisher = null!;

    public async Task InitializeAsync()
    {
        _ = api.Services; // starts the service, which binds its queue
        _publisher = await EventPublisher.StartAsync(api.Vhost.Name);
    }

    public async Task DisposeAsync() => await _publisher.DisposeAsync();

    [Fact]
    public async Task Every_event_of_the_contracts_is_recorded_with_its_actor_action_and_resource()
    {
        var actor = AuditApi.NewActorId();
        var now = DateTimeOffset.UtcNow;
        IntegrationEvent[] events =
        [
            new UserRegistered(41, "alice", "alice@example.com", "Alice").Sent(actor, "alice", "req-1", now),
            new UserSettingsChanged(41, false).Sent(actor, "alice", "req-2", now),
            new UserDeleted(41, "alice").Sent(actor, "alice", "req-3", now),
            AuditApi.ItemCreated(actor, 7, "req-4"),
            new ItemUpdated(7, "Teapot", null, 12m, null, [], 3, ["price"]).Sent(actor, "admin", "req-5", now),
            new ItemDeleted(7, "Teapot").Sent(actor, "admin", "req-6", now),
            new OrderPlaced(99, 7, "Teapot", 2, 10m, 20m, actor, "alice", "alice@example.com").Sent(actor, "alice", "req-7", now),
            new ErrorMessagesReplayed("notifications", 3).Sent(actor, "admin", "req-8", now),
        ];
        foreach (var e in events)
            await _publisher.PublishAsync(e, e.EventId);

        var entries = await api.WaitForEntriesAsync(actor, events.Length);

        Assert.Equal(
            [
                ("UserRegistered", "registered", "user", "41"), ("UserSettingsChanged", "settings_changed", "user", "41"),
                ("UserDeleted", "deleted", "user", "41"), ("ItemCreated", "created", "item", "7"),
                ("ItemUpdated", "updated", "item", "7"), ("ItemDeleted", "deleted", "item", "7"),
                ("OrderPlaced", "placed", "order", "99"), ("ErrorMessagesReplayed", "replayed", "queue", "notifications"),
            ],
            events.Select(e => entries.Single(x => x.EventId == e.EventId))
                .Select(x => (x.EventType, x.Action, x.ResourceType, x.ResourceId)).ToArray());
        var order = entries.Single(x => x.EventType == "OrderPlaced");
        Assert.Equal(("req-7", "alice"), (order.CorrelationId, order.ActorName));
        using var data = JsonDocument.Parse(order.Data);
        Assert.Equal(20m, data.RootElement.GetProperty("total").GetDecimal());
        Assert.Equal("alice@example.com", data.RootElement.GetProperty("email").GetString());
        Assert.InRange(order.RecordedAt, now.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task The_same_event_delivered_twice_is_recorded_once()
    {
        var actor = AuditApi.NewActorId();
        var twice = AuditApi.ItemCreated(actor, 8);
        var marker = AuditApi.ItemCreated(actor, 9);

        await _publisher.PublishAsync(twice, twice.EventId);
        await _publisher.PublishAsync(twice, twice.EventId);
        await _publisher.PublishAsync(marker, marker.EventId);
        await api.WaitForEntriesAsync(actor, 2);
        // The queue is drained once it is empty and nothing is being handled; then nothing more can arrive.
        await Eventually.GetAsync(() => api.Vhost.CountMessagesAsync("audit-log"), n => n == 0, TimeSpan.FromSeconds(30), "an empty audit-log queue");

        var entries = await api.EntriesOfAsync(actor);
        Assert.Single(entries, e => e.EventId == twice.EventId);
        Assert.Equal(2, entries.Count);
    }

    [Fact]
    public async Task The_same_event_under_another_message_id_is_recorded_once_and_not_sent_to_the_error_queue()
    {
        var actor = AuditApi.NewActorId();
        var replayed = AuditApi.ItemCreated(actor, 12);
        var marker = AuditApi.ItemCreated(actor, 13);

        await _publisher.PublishAsync(replayed, replayed.EventId);
        await api.WaitForEntriesAsync(actor, 1);
        await _publisher.PublishAsync(replayed, Guid.NewGuid());
        await _publisher.PublishAsync(marker, marker.EventId);
        await api.WaitForEntriesAsync(actor, 2);
        await Eventually.GetAsync(() => api.Vhost.CountMessagesAsync("audit-log"), n => n == 0, TimeSpan.FromSeconds(30), "an empty audit-log queue");

        Assert.Equal(new[] { replayed.EventId, marker.EventId }.Order(), (await api.EntriesOfAsync(actor)).Select(e => e.EventId).Order());
        Assert.True((await api.Vhost.CountMessagesAsync("audit-log_error") ?? 0) == 0);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/docs/index.html")]
    [InlineData("/swagger/v1/swagger.json")]
    public async Task Health_and_api_docs_answer(string path)
    {
        using var client = api.Anonymous();

        using var response = await client.GetAsync(path);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
