using MassTransit;
using Store.ServiceDefaults;

namespace Store.Testing;

/// <summary>
/// Publishes events onto a test's RabbitMQ vhost the way the outbox relay does: the event's own id
/// as the MessageId (what consumers de-duplicate on) and its correlation id as X-Request-Id.
/// </summary>
public sealed class EventPublisher : IAsyncDisposable
{
    private readonly IBusControl _bus;

    private EventPublisher(IBusControl bus) => _bus = bus;

    public static async Task<EventPublisher> StartAsync(string vhost)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(broker =>
            broker.Host(TestServers.RabbitHost, (ushort)TestServers.RabbitPort, vhost, host =>
            {
                host.Username(TestServers.RabbitUser);
                host.Password(TestServers.RabbitPassword);
                host.PublisherConfirmation = true;
            }));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bus.StartAsync(timeout.Token);
        return new EventPublisher(bus);
    }

    /// <summary>Publishes <paramref name="message"/> as its runtime type with <paramref name="messageId"/> as its MessageId (publish twice with one id to redeliver).</summary>
    public Task PublishAsync<T>(T message, Guid messageId, string? correlationId = null)
        where T : class =>
        _bus.Publish(message, message.GetType(), context =>
        {
            context.MessageId = messageId;
            if (correlationId is not null)
                context.Headers.Set(RequestIdMiddleware.HeaderName, correlationId);
        });

    /// <summary>
    /// Sends <paramref name="message"/> straight to <paramref name="queue"/> (declared if it does not
    /// exist), as MassTransit moves a failed message to an _error queue: a test's way to have one there.
    /// </summary>
    public async Task SendToQueueAsync<T>(T message, Guid messageId, string queue, string? correlationId = null)
        where T : class
    {
        var endpoint = await _bus.GetSendEndpoint(new Uri($"queue:{queue}"));
        await endpoint.Send(message, message.GetType(), context =>
        {
            context.MessageId = messageId;
            if (correlationId is not null)
                context.Headers.Set(RequestIdMiddleware.HeaderName, correlationId);
        });
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _bus.StopAsync(timeout.Token);
    }
}
