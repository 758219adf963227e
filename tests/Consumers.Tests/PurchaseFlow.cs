using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Store.AuditLog.Data;
using Store.Items.Data;
using Store.Notifications.Data;
using Store.Testing;

namespace Store.Consumers.Tests;

/// <summary>A service hosted in memory on its own database but on another factory's RabbitMQ vhost.</summary>
public sealed class ConsumerOn<TEntryPoint>(string databaseName, Func<string> vhost, Action<IWebHostBuilder>? configure = null)
    : ServiceFactory<TEntryPoint>(databaseName)
    where TEntryPoint : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("RabbitMq:VirtualHost", vhost());
        // Start-up returns once the queue is bound, so what is published next is not dropped.
        builder.ConfigureServices(services => services.Configure<MassTransit.MassTransitHostOptions>(o => o.WaitUntilStarted = true));
        configure?.Invoke(builder);
    }
}

/// <summary>The items service, the audit-log service and the notification service on one vhost, and an SMTP server.</summary>
public class PurchaseFlow : IAsyncLifetime
{
    public PurchaseFlow()
    {
        Items = new ServiceFactory<ItemsDb>("items");
        Audit = new ConsumerOn<AuditDb>("audit", () => Items.Vhost.Name);
        Notifications = new ConsumerOn<NotificationsDb>("notifications", () => Items.Vhost.Name, builder =>
        {
            builder.UseSetting("Smtp:Host", "127.0.0.1");
            builder.UseSetting("Smtp:Port", Smtp.Port.ToString(CultureInfo.InvariantCulture));
        });
    }

    public ServiceFactory<ItemsDb> Items { get; }
    public ConsumerOn<AuditDb> Audit { get; }
    public ConsumerOn<NotificationsDb> Notifications { get; }
    public SmtpServer Smtp { get; } = new();

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)Items).InitializeAsync();
        await ((IAsyncLifetime)Audit).InitializeAsync();
        await ((IAsyncLifetime)Notifications).InitializeAsync();
        await BeforeServicesStartAsync();
        // The consumers first: their queues must be bound before the first event is published.
        _ = Audit.Services;
        _ = Notifications.Services;
        _ = Items.Services;
    }

    /// <summary>Creates an item ("Kettle") and buys two of it as a new user, with an X-Request-Id of its own.</summary>
    public async Task<PlacedOrder> PlaceOrderAsync()
    {
        using var admin = Items.AsAdmin();
        using var created = await admin.PostAsJsonAsync("/api/items", new { name = "Kettle", price = 20m, stock = 5 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var itemId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var userId = Random.Shared.Next(1_000, int.MaxValue);
        var name = $"buyer{userId}";
        using var buyer = Items.AsUser(userId, name);
        var requestId = $"purchase-{Guid.NewGuid():N}";

        using var purchase = new HttpRequestMessage(HttpMethod.Post, $"/api/items/{itemId}/purchase") { Content = JsonContent.Create(new { quantity = 2 }) };
        purchase.Headers.Add("X-Request-Id", requestId);
        using var response = await buyer.SendAsync(purchase);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var orderId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        return new PlacedOrder(orderId, userId, name, requestId);
    }

    public async Task<List<AuditEntry>> AuditOfOrderAsync(int orderId)
    {
        await using var db = new AuditDb(Audit.Database.Options<AuditDb>());
        var id = orderId.ToString(CultureInfo.InvariantCulture);
        return await db.Entries.AsNoTracking().Where(e => e.ResourceType == "order" && e.ResourceId == id).ToListAsync();
    }

    public async Task<List<Notification>> NotificationsOfAsync(int userId)
    {
        await using var db = new NotificationsDb(Notifications.Database.Options<NotificationsDb>());
        return await db.Notifications.AsNoTracking().Where(n => n.UserId == userId).ToListAsync();
    }

    /// <summary>What the broker holds before any of the services starts (nothing: a fresh vhost).</summary>
    protected virtual Task BeforeServicesStartAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Notifications).DisposeAsync();
        await ((IAsyncLifetime)Audit).DisposeAsync();
        await ((IAsyncLifetime)Items).DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

/// <summary>An order <see cref="PurchaseFlow.PlaceOrderAsync"/> placed: its id, its buyer and the request's X-Request-Id.</summary>
public sealed record PlacedOrder(int OrderId, int UserId, string UserName, string RequestId);

/// <summary>
/// The same services on a vhost where the consumers' queues exist as classic queues, as an earlier
/// version declared them before quorum queues became the default.
/// </summary>
public sealed class PurchaseFlowOnClassicQueues : PurchaseFlow
{
    protected override async Task BeforeServicesStartAsync()
    {
        foreach (var queue in Store.Contracts.Subscriptions.Queues.Keys)
            await Items.Vhost.DeclareQueueAsync(queue, quorum: false);
    }
}
