using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Store.Contracts;
using Store.Notifications.Data;
using Store.Notifications.Queries;
using Store.ServiceDefaults;
using Store.Testing;

namespace Store.Notifications.Tests;

/// <summary>Where a test class's notification service sends its e-mail.</summary>
public enum MailTarget
{
    /// <summary>The test SMTP server (<see cref="NotificationsFactory.Smtp"/>).</summary>
    SmtpServer,
    /// <summary>An SMTP port nothing listens on (a server that is down).</summary>
    SmtpServerDown,
    /// <summary>No SMTP server configured: the log.</summary>
    Log,
}

/// <summary>
/// The notification service on a database and vhost of its own, one per test class, sending its
/// e-mail to <paramref name="mail"/>, at most <paramref name="maxConcurrentSends"/> at once when
/// given (else the service's default). Retries are few and quick: 2 retries, 50 ms apart and more.
/// </summary>
public abstract class NotificationsFactory(MailTarget mail, int? maxConcurrentSends = null) : ServiceFactory<NotificationsDb>("notifications")
{
    public const int RetryLimit = 2;

    public static readonly JsonSerializerOptions Json = CreateJson();

    public SmtpServer Smtp { get; } = new();

    /// <summary>A user id no other test uses.</summary>
    public static int NewUserId() => Random.Shared.Next(1_000, int.MaxValue);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Smtp:Host", mail == MailTarget.Log ? "" : "127.0.0.1");
        builder.UseSetting("Smtp:Port", (mail == MailTarget.SmtpServer ? Smtp.Port : SmtpServer.ClosedPort()).ToString(CultureInfo.InvariantCulture));
        if (maxConcurrentSends is { } sends)
            builder.UseSetting("Smtp:MaxConcurrentSends", sends.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Smtp:Timeout", "00:00:30");
        builder.UseSetting("RabbitMq:RetryLimit", RetryLimit.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("RabbitMq:RetryMinInterval", "00:00:00.050");
        builder.UseSetting("RabbitMq:RetryMaxInterval", "00:00:00.200");
        // Start-up returns once the queue is bound, so what a test publishes next is not dropped.
        builder.ConfigureServices(services => services.Configure<MassTransit.MassTransitHostOptions>(o => o.WaitUntilStarted = true));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            Smtp.Dispose();
    }

    public NotificationsDb OpenDb() => new(Database.Options<NotificationsDb>());

    public async Task<List<Notification>> NotificationsOfAsync(int userId)
    {
        await using var db = OpenDb();
        return await db.Notifications.AsNoTracking().Where(n => n.UserId == userId).OrderBy(n => n.Id).ToListAsync();
    }

    /// <summary>Waits until <paramref name="userId"/> has <paramref name="count"/> notifications, all of them in a final state.</summary>
    public Task<List<Notification>> WaitForNotificationsAsync(int userId, int count = 1) =>
        Eventually.GetAsync(() => NotificationsOfAsync(userId),
            rows => rows.Count >= count && rows.All(n => n.Status is not (Notification.Pending or Notification.Sending)),
            TimeSpan.FromSeconds(30), $"{count} final notification(s) of user {userId}");

    public static OrderPlaced OrderPlaced(int userId, string email, string? correlationId = null) => new OrderPlaced(
        OrderId: Random.Shared.Next(1, 1_000_000), ItemId: 7, ItemName: "Teapot", Quantity: 2, UnitPrice: 12.5m, Total: 25m,
        UserId: userId, Username: "bob", Email: email).Sent(userId, "bob", correlationId);

    public static NotificationResponse[] Read(string json) => JsonSerializer.Deserialize<NotificationResponse[]>(json, Json)!;

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ServiceDefaultsExtensions.ConfigureJson(options);
        return options;
    }
}

public sealed class NotificationsApi() : NotificationsFactory(MailTarget.SmtpServer);

public sealed class NotificationsWithSmtpDown() : NotificationsFactory(MailTarget.SmtpServerDown);

public sealed class NotificationsWithTwoSendsAtOnce() : NotificationsFactory(MailTarget.SmtpServer, maxConcurrentSends: 2);

public sealed class NotificationsToTheLog() : NotificationsFactory(MailTarget.Log, maxConcurrentSends: 1);
