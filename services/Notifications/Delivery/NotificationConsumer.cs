using System.Globalization;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Store.Contracts;
using Store.Messaging;
using Store.Notifications.Data;
using Store.ServiceDefaults;

namespace Store.Notifications.Delivery;

/// <summary>
/// Turns OrderPlaced and UserRegistered into e-mails and keeps UserSettingsChanged's choice.
/// <para>
/// An e-mail is a side effect no database transaction can take back, so a notification is handled
/// in two steps. (1) Through the inbox, the notification row (pending, or skipped for a user who
/// opted out) commits with the record of the message: a redelivered event never makes a second row.
/// (2) The row is locked (FOR UPDATE) and sent only while it is pending or failed; the outcome
/// (sent with sent_at, or the error) commits before the lock is released. A duplicate delivered at
/// the same time waits on the lock and then finds the row sent; one delivered later finds it sent
/// straight away. A redelivery after a crash between (1) and (2) still sends, since the row says pending.
/// </para>
/// <para>
/// The window that remains: the SMTP server accepted the e-mail but the process died (or the
/// database went away) before "sent" committed. The redelivered event then sends it again. The
/// e-mail's Message-ID is the event id, so a mail system that de-duplicates on it drops the copy.
/// </para>
/// A failed send throws, so MassTransit retries the message with backoff (RabbitMq:Retry*); the row
/// counts the attempts, and when the last retry fails it says failed and the message goes to
/// notifications_error, from where a replay sends it again.
/// </summary>
public sealed partial class NotificationConsumer(
    NotificationsDb db, EmailSender sender, IOptions<RabbitMqOptions> rabbitMq, TimeProvider clock, ILogger<NotificationConsumer> logger) :
    IConsumer<OrderPlaced>, IConsumer<UserRegistered>, IConsumer<UserSettingsChanged>
{
    /// <summary>The consumer's name in <c>inbox_messages</c>.</summary>
    public const string InboxName = "notifications";

    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        var order = context.Message;
        await RecordAsync(context, order.UserId, order.Email,
            $"Your order #{order.OrderId}: {order.ItemName}",
            string.Create(CultureInfo.InvariantCulture,
                $"Hello {order.Username},\n\nthank you for your purchase of {order.Quantity} x {order.ItemName} " +
                $"at {order.UnitPrice:0.00} each, {order.Total:0.00} in total (order #{order.OrderId}).\n"));
        await DeliverAsync(context, order.EventId);
    }

    public async Task Consume(ConsumeContext<UserRegistered> context)
    {
        var user = context.Message;
        await RecordAsync(context, user.UserId, user.Email,
            "Welcome to the store",
            $"Hello {user.FullName ?? user.Username},\n\nwelcome to the store: your account {user.Username} is ready.\n");
        await DeliverAsync(context, user.EventId);
    }

    public async Task Consume(ConsumeContext<UserSettingsChanged> context)
    {
        var settings = context.Message;
        await db.HandleOnceAsync(context, InboxName, cancellationToken => db.Database.ExecuteSqlAsync($"""
            INSERT INTO user_preferences (user_id, email_notifications, changed_at)
            VALUES ({settings.UserId}, {settings.EmailNotifications}, {settings.OccurredAt})
            ON CONFLICT (user_id) DO UPDATE
            SET email_notifications = excluded.email_notifications, changed_at = excluded.changed_at
            WHERE user_preferences.changed_at <= excluded.changed_at
            """, cancellationToken));
    }

    /// <summary>Step 1: the notification row, once per event (pending, or skipped when the user opted out or has no address).</summary>
    private async Task RecordAsync<TEvent>(ConsumeContext<TEvent> context, int userId, string? recipient, string subject, string body)
        where TEvent : class, IIntegrationEvent
    {
        var message = context.Message;
        await db.HandleOnceAsync(context, InboxName, async cancellationToken =>
        {
            // The same event re-published under another message id (a replay by hand, say) has its row already.
            if (await db.Notifications.AnyAsync(n => n.EventId == message.EventId, cancellationToken))
                return;
            var wantsEmail = await db.UserPreferences.AsNoTracking()
                .Where(p => p.UserId == userId).Select(p => (bool?)p.EmailNotifications)
                .FirstOrDefaultAsync(cancellationToken) ?? true;
            db.Notifications.Add(new Notification
            {
                EventId = message.EventId,
                UserId = userId,
                Channel = Notification.Email,
                Recipient = recipient,
                Subject = subject,
                Body = body,
                Status = wantsEmail && !string.IsNullOrWhiteSpace(recipient) ? Notification.Pending : Notification.Skipped,
                CorrelationId = message.CorrelationId ?? context.Headers.Get<string>(RequestIdMiddleware.HeaderName),
                CreatedAt = clock.GetUtcNowForDatabase(),
            });
        });
    }

    /// <summary>Step 2: sends the row's e-mail unless it is already sent or skipped, holding its lock until the outcome commits.</summary>
    private async Task DeliverAsync(ConsumeContext context, Guid eventId)
    {
        var cancellationToken = context.CancellationToken;
        // Step 1 may have left this row tracked as pending; a duplicate may have sent it since. A tracked
        // entity is not refreshed by a query, so without this the locked read would see the stale status.
        db.ChangeTracker.Clear();
        await using var transaction = await db.BeginTransactionWithoutSavepointsAsync(cancellationToken);
        var notification = await db.Notifications
            .FromSql($"SELECT * FROM notifications WHERE event_id = {eventId} FOR UPDATE")
            .SingleAsync(cancellationToken);
        if (notification.Status is not (Notification.Pending or Notification.Failed))
            return;

        notification.Attempts++;
        Exception? failure = null;
        try
        {
            // Not the consume token: once the server has the e-mail, "sent" must still be recorded.
            await sender.SendAsync(new Email(eventId, notification.Recipient!, notification.Subject, notification.Body), CancellationToken.None);
            notification.Status = Notification.Sent;
            notification.SentAt = clock.GetUtcNowForDatabase();
            notification.LastError = null;
        }
        catch (Exception e)
        {
            failure = e;
            var lastAttempt = context.GetRetryAttempt() >= rabbitMq.Value.RetryLimit;
            notification.Status = lastAttempt ? Notification.Failed : Notification.Pending;
            var error = e.GetBaseException().Message;
            notification.LastError = error.Length > 1000 ? error[..1000] : error;
            LogSendFailed(logger, e, eventId, notification.Attempts, lastAttempt);
        }
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        if (failure is not null)
            throw new EmailDeliveryException($"Sending the e-mail of event {eventId} failed (attempt {notification.Attempts}).", failure);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "E-mail of event {EventId} failed on attempt {Attempts} (last attempt: {LastAttempt})")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, Guid eventId, int attempts, bool lastAttempt);
}

/// <summary>An e-mail could not be sent; MassTransit retries the message, then moves it to the _error queue.</summary>
public sealed class EmailDeliveryException(string message, Exception innerException) : Exception(message, innerException);

/// <summary>The notifications queue: one durable queue, "notifications", bound to the three events' exchanges.</summary>
public sealed class NotificationConsumerDefinition : ConsumerDefinition<NotificationConsumer>
{
    public NotificationConsumerDefinition() => EndpointName = "notifications";
}

public static class NotificationDelivery
{
    /// <summary>
    /// Registers the consumer. Its retries are the <c>RabbitMq:Retry*</c> settings (appsettings.json:
    /// 5 retries from 1 s up to 1 min): an SMTP server that is down for a minute or two is waited out
    /// before the message goes to notifications_error.
    /// </summary>
    public static void AddConsumers(IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<NotificationConsumer, NotificationConsumerDefinition>();

    /// <summary>The e-mail sender: SMTP when Smtp:Host is set, else the log. (The retry settings the consumer reads come with AddMessaging.)</summary>
    public static WebApplicationBuilder AddNotificationDelivery(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(builder.Configuration.GetSection(SmtpOptions.Section).Get<SmtpOptions>() ?? new SmtpOptions());
        builder.Services.AddSingleton<EmailSender>();
        return builder;
    }
}
