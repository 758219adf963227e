using System.Globalization;
using Microsoft.AspNetCore.Hosting;
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
public sealed class PurchaseFlow : IAsyncLifetime
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
        // The consumers first: their queues must be bound before the first event is published.
        _ = Audit.Services;
        _ = Notifications.Services;
        _ = Items.Services;
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Notifications).DisposeAsync();
        await ((IAsyncLifetime)Audit).DisposeAsync();
        await ((IAsyncLifetime)Items).DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
