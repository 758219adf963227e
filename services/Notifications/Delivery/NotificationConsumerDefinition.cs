using Microsoft.Extensions.Options;
using Store.Contracts;
using Store.Messaging;

namespace Store.Notifications.Delivery;

/// <summary>
/// The notifications queue: one durable queue, "notifications", bound to the three events'
/// exchanges. An SMTP server that is down for a minute or two is waited out
/// (<c>RabbitMq:Retry*</c>, appsettings.json: 5 retries from 1 s up to 1 min) before the message
/// goes to notifications_error.
/// </summary>
public sealed class NotificationConsumerDefinition(IOptions<RabbitMqOptions> rabbitMq)
    : RetryingConsumerDefinition<NotificationConsumer>(Subscriptions.NotificationsQueue, rabbitMq);
