using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Store.Contracts;
using Store.Items.Data;
using Store.Testing;

namespace Store.Items.Tests.Orders;

/// <summary>
/// The service loses RabbitMQ (a proxy between them is cut; the shared server itself keeps running):
/// purchases go on, and their events arrive once it is back. The fixture's own instance is never
/// started here, so no other relay publishes this database's outbox behind the test's back.
/// </summary>
public sealed class BrokerOutageTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private static WebApplicationFactory<ItemsDb> Through(ItemsApi api, TcpProxy proxy) => api.WithWebHostBuilder(host =>
    {
        host.UseSetting("RabbitMq:Host", proxy.Host);
        host.UseSetting("RabbitMq:Port", proxy.Port.ToString(CultureInfo.InvariantCulture));
        host.UseSetting("Outbox:RetryMaxDelay", "00:00:01");
    });

    private static bool IsOrderPlaced(Store.Messaging.OutboxMessage row) =>
        row.MessageType.Contains(nameof(OrderPlaced), StringComparison.Ordinal);

    [Fact]
    public async Task While_RabbitMQ_is_unreachable_purchases_succeed_and_their_events_arrive_once_each_in_commit_order_when_it_is_back()
    {
        await using var events = await EventCollector.StartAsync<OrderPlaced>(api.Vhost.Name);
        await using var proxy = TcpProxy.ToRabbitMq();
        await using var service = Through(api, proxy);
        using var admin = ItemsApi.ClientOf(service, TestTokens.Admin());
        var items = new[]
        {
            await ItemsApi.CreateItemAsync(admin, new { name = "Outage mug", price = 6m, stock = 100 }),
            await ItemsApi.CreateItemAsync(admin, new { name = "Outage plate", price = 9m, stock = 100 }),
        };
        // The items' ItemCreated events go out while the broker is still reachable.
        foreach (var item in items)
            await Eventually.GetAsync(() => api.OutboxOfAsync(item.Id), rows => rows.All(r => r.SentAt is not null), TimeSpan.FromSeconds(30), "ItemCreated to be sent");

        proxy.Cut();
        var buyers = Enumerable.Range(0, 10).Select(_ => ItemsApi.ClientOf(service, TestTokens.User(ItemsApi.NewUserId()))).ToArray();
        var statuses = new List<HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 50), new ParallelOptions { MaxDegreeOfParallelism = 10 }, async (n, _) =>
        {
            using var response = await ItemsApi.PurchaseAsync(buyers[n % buyers.Length], items[n % 2].Id, 1);
            lock (statuses)
                statuses.Add(response.StatusCode);
        });

        Assert.Equal(50, statuses.Count(s => s == HttpStatusCode.Created));
        foreach (var item in items)
            Assert.Equal(25, (await api.OutboxOfAsync(item.Id)).Count(row => IsOrderPlaced(row) && row.SentAt is null));
        // The service knows: its relay cannot publish, so readiness says degraded (and stays 200: requests work).
        await Eventually.GetAsync(() => OutboxHealthAsync(admin), health => health == (HttpStatusCode.OK, "degraded"),
            TimeSpan.FromSeconds(30), "the outbox check to turn degraded");
        Assert.Empty(events.Deliveries);

        proxy.Resume();

        await events.WaitForAsync(50, _ => true, TimeSpan.FromSeconds(60));
        foreach (var item in items)
            await Eventually.GetAsync(() => api.OutboxOfAsync(item.Id), rows => rows.All(r => r.SentAt is not null), TimeSpan.FromSeconds(30), "the outbox to be sent");
        var delivered = events.Deliveries;
        Assert.Equal(50, delivered.Count);
        Assert.Equal(50, delivered.Select(d => d.MessageId).Distinct().Count());
        await using var db = api.OpenDb();
        foreach (var item in items)
        {
            // Buyers of one item queue on its row lock, so its order ids are in commit order.
            var committed = await db.Orders.Where(o => o.ItemId == item.Id).OrderBy(o => o.Id).Select(o => o.Id).ToListAsync();
            Assert.Equal(25, committed.Count);
            Assert.Equal(committed, delivered.Where(d => d.Message.ItemId == item.Id).Select(d => d.Message.OrderId));
        }

        await Eventually.GetAsync(() => OutboxHealthAsync(admin), health => health == (HttpStatusCode.OK, "healthy"),
            TimeSpan.FromSeconds(30), "the outbox check to recover");
        foreach (var buyer in buyers)
            buyer.Dispose();
    }

    private static async Task<(HttpStatusCode Status, string? Outbox)> OutboxHealthAsync(HttpClient client)
    {
        using var ready = await client.GetAsync("/health/ready");
        var report = await ready.Content.ReadFromJsonAsync<JsonElement>();
        return (ready.StatusCode, report.GetProperty("checks").GetProperty("outbox").GetProperty("status").GetString());
    }
}

/// <summary>An instance stops between committing a purchase and publishing its event: the next instance publishes it.</summary>
public sealed class PublisherRestartTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    [Fact]
    public async Task An_order_committed_by_an_instance_that_could_not_publish_is_delivered_by_the_next_instance()
    {
        await using var events = await EventCollector.StartAsync<OrderPlaced>(api.Vhost.Name);
        int orderId;
        int itemId;
        await using (var proxy = TcpProxy.ToRabbitMq())
        {
            proxy.Cut();
            await using var unlucky = api.WithWebHostBuilder(host =>
            {
                host.UseSetting("RabbitMq:Host", proxy.Host);
                host.UseSetting("RabbitMq:Port", proxy.Port.ToString(CultureInfo.InvariantCulture));
            });
            using var admin = ItemsApi.ClientOf(unlucky, TestTokens.Admin());
            using var buyer = ItemsApi.ClientOf(unlucky, TestTokens.User(ItemsApi.NewUserId()));
            itemId = (await ItemsApi.CreateItemAsync(admin, new { name = "Unlucky vase", price = 12m, stock = 3 })).Id;
            using var bought = await ItemsApi.PurchaseAsync(buyer, itemId, 1);
            Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
            orderId = (await ItemsApi.ReadOrderAsync(bought)).Id;
        }
        // That instance is gone and never reached the broker: the event waits in the outbox.
        Assert.Contains(await api.OutboxOfAsync(itemId), row => row.MessageType.Contains(nameof(OrderPlaced), StringComparison.Ordinal) && row.SentAt is null);
        Assert.Empty(events.Deliveries);

        // The next instance of the service, on the same database, with the broker reachable.
        using var anyone = api.Anonymous();

        var delivered = await events.WaitForAsync(1, e => e.OrderId == orderId);
        await Eventually.GetAsync(() => api.OutboxOfAsync(itemId), rows => rows.All(r => r.SentAt is not null), TimeSpan.FromSeconds(30), "the outbox to be sent");
        Assert.Single(events.Deliveries, d => d.Message.OrderId == orderId);
        Assert.Equal(itemId, delivered.Single().Message.ItemId);
    }
}

/// <summary>
/// A broker outage longer than RabbitMq:StuckEndpointTimeout: the items service's only consumer
/// (other instances' cache evictions) cannot consume, but a restart would mend nothing (its cached
/// entries expire within Items:Cache:MaxAge anyway) and take away the instance whose outbox keeps
/// purchases working, so it stays live.
/// </summary>
public sealed class BrokerOutageLivenessTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    [Fact]
    public async Task The_items_service_stays_live_and_ready_while_RabbitMQ_is_away()
    {
        await using var proxy = TcpProxy.ToRabbitMq();
        proxy.Cut();
        await using var service = api.WithWebHostBuilder(host =>
        {
            host.UseSetting("RabbitMq:Host", proxy.Host);
            host.UseSetting("RabbitMq:Port", proxy.Port.ToString(CultureInfo.InvariantCulture));
            host.UseSetting("RabbitMq:StuckEndpointTimeout", "00:00:01");
        });
        using var client = service.CreateClient();
        using (var first = await client.GetAsync("/health/live"))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        // Well past the timeout a consuming service's liveness fails after.
        await Task.Delay(TimeSpan.FromSeconds(4));

        using var live = await client.GetAsync("/health/live");
        using var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("degraded", await ready.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
