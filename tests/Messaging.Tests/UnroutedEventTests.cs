using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Store.Testing;

namespace Store.Messaging.Tests;

/// <summary>
/// Events published before any queue is bound for them (a fresh broker where the producers started
/// first, a queue deleted and declared again): the broker returns them, the relay never marks them
/// sent, and once a consumer's queue exists they arrive, once each and in their key's order. A vhost
/// of its own, so that no other test's queue receives them.
/// </summary>
public sealed class UnroutedEventTests(MessagingServers servers) : IClassFixture<MessagingServers>
{
    [Fact]
    public async Task An_event_no_queue_receives_waits_with_its_key_and_arrives_in_order_once_a_queue_exists()
    {
        await using var service = await servers.StartServiceAsync(settings: new Dictionary<string, string>
        {
            ["Outbox:PollInterval"] = "00:00:00.100",
            ["Outbox:RetryMaxDelay"] = "00:00:00.500",
            ["Outbox:StuckAfterAttempts"] = "2",
        });
        var key = $"stream-{Guid.NewGuid():N}";
        for (var sequence = 1; sequence <= 3; sequence++)
            await service.WriteNoteAsync(key, sequence);

        // Returned twice: the relay went past it at least twice, and each time it stayed unsent.
        await Eventually.GetAsync(() => RowsAsync(key), rows => rows[0].Attempts >= 2, TimeSpan.FromSeconds(30), "the first row to be returned twice");
        var waiting = await RowsAsync(key);
        Assert.All(waiting, row => Assert.Null(row.SentAt));
        Assert.Contains("no queue", waiting[0].LastError, StringComparison.Ordinal);
        // The later rows of its key were never tried before it.
        Assert.All(waiting.Skip(1), row => Assert.Equal(0, row.Attempts));
        // Waiting through StuckAfterAttempts attempts is reported.
        var stuck = await OutboxHealthAsync(service);
        Assert.Equal(HealthStatus.Degraded, stuck.Status);
        Assert.Contains($"row {waiting[0].Id}", stuck.Description, StringComparison.Ordinal);

        await using var collector = await EventCollector.StartAsync<NoteWritten>(servers.Vhost.Name);

        var deliveries = await collector.WaitForAsync(3, m => m.Key == key);
        Assert.Equal([1, 2, 3], deliveries.Select(d => d.Message.Sequence));
        await Eventually.GetAsync(() => RowsAsync(key), rows => rows.All(r => r.SentAt is not null), TimeSpan.FromSeconds(30), "every row to be marked sent");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(3, collector.Deliveries.Count(d => d.Message.Key == key));
        Assert.Equal(HealthStatus.Healthy, (await OutboxHealthAsync(service)).Status);
    }

    private static async Task<HealthReportEntry> OutboxHealthAsync(TestService service) =>
        (await service.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["outbox"];

    private async Task<List<OutboxMessage>> RowsAsync(string key)
    {
        await using var db = servers.NewDb();
        return await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.OrderingKey == key).OrderBy(m => m.Id).ToListAsync();
    }
}
