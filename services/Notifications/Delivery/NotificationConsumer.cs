using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Options;
using Store.Contracts;
using Store.Messaging;
using Store.ServiceDefaults;

namespace Store.Notifications.Delivery;

/// <summary>
/// Turns OrderPlaced and UserRegistered into e-mails, recorded and sent in batches by
/// <see cref="NotificationDispatcher"/>, which says how each is sent once. A failed send throws, so
/// MassTransit retries the message with backoff (RabbitMq:Retry*); the row counts the attempts, and
/// when the last retry fails it says failed and the message goes to notifications_error, from where
/// a replay sends it again. (UserSettingsChanged: <see cref="PreferenceConsumer"/>, on the same queue.)
/// </summary>
public sealed class NotificationConsumer(NotificationDispatcher dispatcher, IOptions<RabbitMqOptions> rabbitMq) :
    IConsumer<OrderPlaced>, IConsumer<UserRegistered>
{
    /// <summary>
    /// Registers the consumers of the notifications queue, this one and <see cref="PreferenceConsumer"/>,
    /// with their retries (<see cref="NotificationConsumerDefinition"/>), and their dispatcher.
    /// </summary>
    public static void Register(IBusRegistrationConfigurator bus)
    {
        bus.AddSingleton<NotificationDispatcher>();
        bus.AddConsumer<NotificationConsumer, NotificationConsumerDefinition>();
        bus.AddConsumer<PreferenceConsumer, PreferenceConsumerDefinition>();
    }

    public Task Consume(ConsumeContext<OrderPlaced> context)
    {
        var order = context.Message;
        return DispatchAsync(context, order.UserId, order.Email,
            $"Your order #{order.OrderId}: {order.ItemName}",
            string.Create(CultureInfo.InvariantCulture,
                $"Hello {order.Username},\n\nthank you for your purchase of {order.Quantity} x {order.ItemName} " +
                $"at {order.UnitPrice:0.00} each, {order.Total:0.00} in total (order #{order.OrderId}).\n"));
    }

    public Task Consume(ConsumeContext<UserRegistered> context)
    {
        var user = context.Message;
        return DispatchAsync(context, user.UserId, user.Email,
            "Welcome to the store",
            $"Hello {user.FullName ?? user.Username},\n\nwelcome to the store: your account {user.Username} is ready.\n");
    }

    private Task DispatchAsync<TEvent>(ConsumeContext<TEvent> context, int userId, string? recipient, string subject, string body)
        where TEvent : IntegrationEvent
    {
        var message = context.Message;
        return dispatcher.DispatchAsync(new NotificationRequest(
            message.EventId, userId, recipient, subject, body,
            message.CorrelationId ?? context.Headers.Get<string>(RequestIdMiddleware.HeaderName),
            Redelivered: context.ReceiveContext.Redelivered,
            // The limit this consumer's definition retries with.
            LastAttempt: context.GetRetryAttempt() >= rabbitMq.Value.RetryLimit), context.CancellationToken);
    }
}
