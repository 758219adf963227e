using Microsoft.Extensions.Options;
using Store.Contracts;
using Store.Messaging;

namespace Store.Notifications.Delivery;

/// <summary>
/// The notifications queue also carries users' e-mail choices, for <see cref="PreferenceConsumer"/>,
/// with the same retries (each consumer's own: a retry of one never runs the other again).
/// </summary>
public sealed class PreferenceConsumerDefinition(IOptions<RabbitMqOptions> rabbitMq)
    : RetryingConsumerDefinition<PreferenceConsumer>(Subscriptions.NotificationsQueue, rabbitMq);
