using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Store.Testing;

namespace Store.Messaging.Tests;

/// <summary>The outbox relay against the real PostgreSQL and RabbitMQ.</summary>
public sealed class OutboxRelayTests(MessagingServers servers) : IClassFixture<MessagingServers>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    private static string NewKey() => $"stream-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_committed_event_is_published_with_its_event_id_as_message_id_and_its_correlation_id()
    {
        await using var collector = await EventCollector.StartAsync<NoteWritten>(servers.Vhost.Name);
        await using var service = await servers.StartServiceAsync();
        var key = NewKey();
        var correlationId = Guid.NewGuid().ToString("N");

        var written = await service.WriteNoteAsync(key, 1, correlationId);

        var delivery = (await collector.WaitForAsync(1, m => m.Key == key)).Single();
        Assert.Equal(written, delivery.Message);
        Assert.Equal(written.EventId, delivery.MessageId);
        Assert.Equal(correlationId, delivery.RequestId);
        Assert.Equal(Guid.Parse(correlationId), delivery.CorrelationId);
        // The relay marks the row once the broker has confirmed it, which can be just after the delivery.
        var row = await Eventually.GetAsync(async () =>
        {
            await using var db = servers.NewDb();
            return await db.Set<OutboxMessage>().SingleAsync(m => m.MessageId == written.EventId);
        }, row => row.SentAt is not null, TimeSpan.FromSeconds(10), "the row marked sent");
        Assert.Equal(key, row.OrderingKey);
    }

    [Fact]
    public async Task The_event_of_a_rolled_back_transaction_is_never_written_nor_published()
    {
        await using var collector = await EventCollector.StartAsync<NoteWritten>(servers.Vhost.Name);
        await using var service = await servers.StartServiceAsync();
        var key = NewKey();

        await using (var scope = service.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDb>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Notes.Add(new Note { Key = key, Sequence = 1 });
            db.AddToOutbox(NoteWritten.For(new Note { Key = key, Sequence = 1 }), key);
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }
        // Written after the rolled-back one: once it has arrived, the relay has been past the other.
        await service.WriteNoteAsync(key, 2);

        var deliveries = await collector.WaitForAsync(1, m => m.Key == key);
        Assert.Equal(2, deliveries.Single().Message.Sequence);
        await using var check = servers.NewDb();
        Assert.Equal(1, await check.Notes.CountAsync(n => n.Key == key));
        Assert.Equal(1, await check.Set<OutboxMessage>().CountAsync(m => m.OrderingKey == key));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_commit_wakes_the_relay_at_once_instead_of_at_the_next_poll(bool explicitTransaction)
    {
        await using var collector = await EventCollector.StartAsync<NoteWritten>(servers.Vhost.Name);
        await using var service = await servers.StartServiceAsync(settings: new Dictionary<string, string>
        {
            ["Outbox:PollInterval"] = "00:10:00",
        });
        var key = NewKey();
        // Once the first event is out, the relay has nothing left and waits: for a signal, or ten minutes.
        await service.WriteNoteAsync(key, 0);
        await collector.WaitForAsync(1, m => m.Key == key);

        var started = DateTimeOffset.UtcNow;
        if (explicitTransaction)
            await service.WriteNoteAsync(key, 1);
        else
            await service.WriteEventAsync(key, 1);

        var delivery = (await collector.WaitForAsync(2, m => m.Key == key, timeout: TimeSpan.FromSeconds(20)))[1];
        Assert.Equal(1, delivery.Message.Sequence);
        Assert.True(delivery.ReceivedAt - started < TimeSpan.FromSeconds(5),
            $"delivered after {(delivery.ReceivedAt - started).TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Two_relays_on_one_database_publish_every_event_once_and_each_key_in_commit_order()
    {
        await using var collector = await EventCollector.StartAsync<NoteWritten>(servers.Vhost.Name);
        // Small batches and a short poll, so that both relays keep claiming rows side by side.
        var settings = new Dictionary<string, string> { ["Outbox:BatchSize"] = "7", ["Outbox:PollInterval"] = "00:00:00.020" };
        await using var first = await servers.StartServiceAsync(settings: settings);
        await using var second = await servers.StartServiceAsync(settings: settings);
        var keys = Enumerable.Range(0, 4).Select(_ => NewKey()).ToArray();
        const int perKey = 40;

        // Each key is written by one writer, in sequence, alternating between the two instances.
        await Task.WhenAll(keys.Select(async key =>
        {
            for (var sequence = 1; sequence <= perKey; sequence++)
                await (sequence % 2 == 0 ? first : second).WriteNoteAsync(key, sequence);
        }));

        var deliveries = await collector.WaitForAsync(keys.Length * perKey, m => keys.Contains(m.Key));
        Assert.Equal(keys.Length * perKey, deliveries.Count);
        Assert.Equal(deliveries.Count, deliveries.Select(d => d.MessageId).Distinct().Count());
        foreach (var key in keys)
            Assert.Equal(Enumerable.Range(1, perKey), deliveries.Where(d => d.Message.Key == key).Select(d => d.Message.Sequence));
    }

    [Fact]
    public async Task While_the_broker_is_unreachable_events_wait_and_then_arrive_once_each_in_order()
    {
        await using var collector = await EventCollector.StartAsync<NoteWritten>(servers.Vhost.Name);
        await using var proxy = TcpProxy.ToRabbitMq();
        await using var service = await servers.StartServiceAsync(rabbitMqProxy: proxy);
        var key = NewKey();
        await service.WriteNoteAsync(key, 0);
        await collector.WaitForAsync(1, m => m.Key == key);
        // Delivered can come before marked sent: wait for the mark, so the count below is only the outage's.
        await Eventually.GetAsync(async () => await UnsentAsync(key), unsent => unsent == 0, TimeSpan.FromSeconds(10), "the first row marked sent");

        proxy.Cut();
        for (var sequence = 1; sequence <= 20; sequence++)
            await service.WriteNoteAsync(key, sequence);
        Assert.Equal(20, await UnsentAsync(key));
        proxy.Resume();

        var deliveries = await collector.WaitForAsync(21, m => m.Key == key);
        Assert.Equal(Enumerable.Range(0, 21), deliveries.Select(d => d.Message.Sequence));
    }

    [Fact]
    public async Task While_a_batch_waits_for_its_confirms_the_next_is_published_and_its_key_follows_only_after_them()
    {
        await using var collector = await EventCollector.StartAsync<NoteWritten>(servers.Vhost.Name);
        await using var proxy = TcpProxy.ToRabbitMq();
        await using var service = await servers.StartServiceAsync(rabbitMqProxy: proxy);
        var (firstKey, slowKey, otherKey) = (NewKey(), NewKey(), NewKey());
        // The relay's channel is open and its exchange declared: from here on only confirms are held.
        await service.WriteNoteAsync(firstKey, 1);
        await Eventually.GetAsync(async () => await UnsentAsync(firstKey), unsent => unsent == 0, TimeSpan.FromSeconds(10), "the first row marked sent");

        proxy.HoldReplies();
        await service.WriteNoteAsync(slowKey, 1);
        // The broker has routed it: its confirm is on its way, held.
        await collector.WaitForAsync(1, m => m.Key == slowKey);
        await service.WriteNoteAsync(otherKey, 1);
        await service.WriteNoteAsync(slowKey, 2);

        // Another key does not wait for the held confirm.
        await collector.WaitForAsync(1, m => m.Key == otherKey);
        // The same key does: its second event must not reach the broker before the first is confirmed.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Single(collector.Deliveries, d => d.Message.Key == slowKey);
        Assert.Equal(2, await UnsentAsync(slowKey));
        Assert.Equal(1, await UnsentAsync(otherKey));

        proxy.ReleaseReplies();
        var deliveries = await collector.WaitForAsync(2, m => m.Key == slowKey);
        Assert.Equal([1, 2], deliveries.Select(d => d.Message.Sequence));
        await Eventually.GetAsync(async () => await UnsentAsync(slowKey) + await UnsentAsync(otherKey), unsent => unsent == 0, TimeSpan.FromSeconds(10), "every row marked sent");
    }

    [Fact]
    public async Task A_key_whose_row_in_the_batch_in_flight_is_not_published_stops_there_also_in_the_next_batch()
    {
        await using var collector = await EventCollector.StartAsync<NoteWritten>(servers.Vhost.Name);
        await using var proxy = TcpProxy.ToRabbitMq();
        await using var service = await servers.StartServiceAsync(rabbitMqProxy: proxy, settings: new Dictionary<string, string> { ["Outbox:PollInterval"] = "00:00:00.100" });
        var (firstKey, key, otherKey) = (NewKey(), NewKey(), NewKey());
        await service.WriteNoteAsync(firstKey, 1);
        await Eventually.GetAsync(async () => await UnsentAsync(firstKey), unsent => unsent == 0, TimeSpan.FromSeconds(10), "the first row marked sent");

        proxy.HoldReplies();
        // One batch: the key's first event, then one this version cannot read (found at the next poll).
        await using (var db = servers.NewDb())
        {
            db.Set<OutboxMessage>().Add(Outbox.Row(NoteWritten.For(new Note { Key = key, Sequence = 1 }), key));
            db.Set<OutboxMessage>().Add(UnreadableRow(key));
            await db.SaveChangesAsync();
        }
        await collector.WaitForAsync(1, m => m.Key == key);
        // Claimed while the first batch waits for its confirm: the key's third event waits for the second.
        await service.WriteNoteAsync(key, 3);
        await service.WriteNoteAsync(otherKey, 1);
        proxy.ReleaseReplies();

        await collector.WaitForAsync(1, m => m.Key == otherKey);
        await Eventually.GetAsync(() => RowsAsync(key), rows => rows[0].SentAt is not null && rows[1].Attempts >= 1, Soon,
            "the first row sent and the unreadable one tried");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal([1], collector.Deliveries.Where(d => d.Message.Key == key).Select(d => d.Message.Sequence));
        Assert.Null((await RowsAsync(key))[2].SentAt);
    }

    /// <summary>An event of a type this version does not have (written by a newer one, before a rollback).</summary>
    private static OutboxMessage UnreadableRow(string key) => new()
    {
        MessageId = Guid.NewGuid(),
        MessageType = "Store.Contracts.RetiredEvent, Store.Contracts.Retired",
        Body = "{}",
        OrderingKey = key,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    private async Task<List<OutboxMessage>> RowsAsync(string key)
    {
        await using var db = servers.NewDb();
        return await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.OrderingKey == key).OrderBy(m => m.Id).ToListAsync();
    }

    private async Task<int> UnsentAsync(string key)
    {
        await using var db = servers.NewDb();
        return await db.Set<OutboxMessage>().CountAsync(m => m.OrderingKey == key && m.SentAt == null);
    }

    [Fact]
    public async Task Events_a_stopped_instance_could_not_publish_are_published_by_the_next_one()
    {
        await using var collector = await EventCollector.StartAsync<NoteWritten>(servers.Vhost.Name);
        var key = NewKey();
        await using (var proxy = TcpProxy.ToRabbitMq())
        {
            proxy.Cut();
            await using var unlucky = await servers.StartServiceAsync(rabbitMqProxy: proxy);
            await unlucky.WriteNoteAsync(key, 1);
            await unlucky.WriteNoteAsync(key, 2);
        }
        await using (var db = servers.NewDb())
            Assert.Equal(2, await db.Set<OutboxMessage>().CountAsync(m => m.OrderingKey == key && m.SentAt == null));

        await using var next = await servers.StartServiceAsync();

        var deliveries = await collector.WaitForAsync(2, m => m.Key == key);
        Assert.Equal([1, 2], deliveries.Select(d => d.Message.Sequence));
    }

    [Fact]
    public async Task While_another_relay_holds_the_outbox_nothing_is_published_and_then_everything_in_order()
    {
        await using var collector = await EventCollector.StartAsync<NoteWritten>(servers.Vhost.Name);
        await using var service = await servers.StartServiceAsync(settings: new Dictionary<string, string> { ["Outbox:PollInterval"] = "00:00:00.100" });
        var key = NewKey();
        // Another relay's round, as PostgreSQL sees it: the outbox's advisory lock, held.
        await using var otherRelay = new Npgsql.NpgsqlConnection(servers.Database.ConnectionString);
        await otherRelay.OpenAsync();
        await using (var take = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({OutboxRelay<TestDb>.RelayLock})", otherRelay))
            await take.ExecuteNonQueryAsync();

        for (var sequence = 1; sequence <= 3; sequence++)
            await service.WriteNoteAsync(key, sequence);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(collector.Deliveries, d => d.Message.Key == key);

        await using (var release = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_unlock({OutboxRelay<TestDb>.RelayLock})", otherRelay))
            await release.ExecuteNonQueryAsync();

        var deliveries = await collector.WaitForAsync(3, m => m.Key == key);
        Assert.Equal([1, 2, 3], deliveries.Select(d => d.Message.Sequence));
    }

    [Fact]
    public async Task A_row_this_version_cannot_read_waits_with_its_key_and_holds_up_no_other_key()
    {
        await using var collector = await EventCollector.StartAsync<NoteWritten>(servers.Vhost.Name);
        await using var service = await servers.StartServiceAsync(settings: new Dictionary<string, string> { ["Outbox:PollInterval"] = "00:00:00.100" });
        var stuckKey = NewKey();
        var otherKey = NewKey();
        await using (var db = servers.NewDb())
        {
            db.Set<OutboxMessage>().Add(UnreadableRow(stuckKey));
            await db.SaveChangesAsync();
        }
        await service.WriteNoteAsync(stuckKey, 1);
        for (var sequence = 1; sequence <= 5; sequence++)
            await service.WriteNoteAsync(otherKey, sequence);

        var others = await collector.WaitForAsync(5, m => m.Key == otherKey);
        Assert.Equal([1, 2, 3, 4, 5], others.Select(d => d.Message.Sequence));
        var stuck = await Eventually.GetAsync(async () =>
        {
            await using var db = servers.NewDb();
            return await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.OrderingKey == stuckKey).OrderBy(m => m.Id).ToListAsync();
        }, rows => rows[0].Attempts >= 2, Soon, "the unreadable row to be tried twice");
        Assert.StartsWith("Unreadable here", stuck[0].LastError, StringComparison.Ordinal);
        Assert.All(stuck, row => Assert.Null(row.SentAt));
        // Its key's later event waits behind it, and the relay's rounds did not fail for it.
        Assert.DoesNotContain(collector.Deliveries, d => d.Message.Key == stuckKey);
        var health = await service.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync();
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, health.Entries["outbox"].Status);
    }

    [Fact]
    public async Task Sent_rows_are_pruned_after_the_retention_period()
    {
        await using var collector = await EventCollector.StartAsync<NoteWritten>(servers.Vhost.Name);
        await using var service = await servers.StartServiceAsync(settings: new Dictionary<string, string>
        {
            ["Outbox:Retention"] = "00:00:00.200",
            ["Outbox:PruneInterval"] = "00:00:00.100",
            ["Outbox:PollInterval"] = "00:00:00.100",
        });
        var key = NewKey();

        var written = await service.WriteNoteAsync(key, 1);
        await collector.WaitForAsync(1, m => m.Key == key);

        await Eventually.GetAsync(
            async () =>
            {
                await using var db = servers.NewDb();
                return await db.Set<OutboxMessage>().CountAsync(m => m.MessageId == written.EventId);
            },
            count => count == 0, Soon, "the sent row to be pruned");
    }
}
