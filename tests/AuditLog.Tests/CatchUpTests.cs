using Store.Testing;

namespace Store.AuditLog.Tests;

/// <summary>The audit service may be stopped while events go on: they wait in its durable queue.</summary>
public sealed class CatchUpTests(AuditApi api) : IClassFixture<AuditApi>
{
    [Fact]
    public async Task Events_published_while_the_service_is_stopped_are_all_recorded_once_it_starts()
    {
        var actor = AuditApi.NewActorId();
        // A first run declares the durable queue and its bindings; then the service stops.
        await using (var firstRun = api.WithWebHostBuilder(_ => { }))
            _ = firstRun.Services;

        await using (var publisher = await EventPublisher.StartAsync(api.Vhost.Name))
        {
            var events = Enumerable.Range(1, 100).Select(i => AuditApi.ItemCreated(actor, i)).ToList();
            foreach (var e in events)
                await publisher.PublishAsync(e, e.EventId);
            // A few arrive twice, as after a lost acknowledgement.
            foreach (var e in events.Take(5))
                await publisher.PublishAsync(e, e.EventId);
        }
        Assert.Empty(await api.EntriesOfAsync(actor));

        await using var secondRun = api.WithWebHostBuilder(_ => { });
        _ = secondRun.Services;
        var entries = await api.WaitForEntriesAsync(actor, 100);
        await Eventually.GetAsync(() => api.Vhost.CountMessagesAsync("audit-log"), n => n == 0, TimeSpan.FromSeconds(30), "an empty audit-log queue");

        entries = await api.EntriesOfAsync(actor);
        Assert.Equal(100, entries.Count);
        Assert.Equal(100, entries.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(),
            entries.Select(e => e.ResourceId).Order());
    }
}
