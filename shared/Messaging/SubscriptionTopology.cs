using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Store.Contracts;

namespace Store.Messaging;

/// <summary>
/// Declares the consumers' durable queues and their bindings (<see cref="Subscriptions.Queues"/>)
/// exactly as MassTransit declares them for a consumer (a fanout exchange per event, bound to a
/// fanout exchange named after the queue, bound to the queue; all durable; each queue of its type,
/// <see cref="QueueTypes"/>), so that the consumer's own declaration later is a no-op. A relay
/// does this before its first publish: mandatory publishing alone only guarantees that some queue
/// took an event, and on a first deployment the notifications queue may exist while the audit log's
/// does not yet.
/// </summary>
internal sealed class SubscriptionTopology(IOptions<RabbitMqOptions> options, QueueTypes queueTypes)
{
    public async Task DeclareAsync(CancellationToken cancellationToken)
    {
        var rabbitMq = options.Value;
        await using var connection = await rabbitMq.ConnectionFactory("declare subscriptions").CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        foreach (var (queue, events) in Subscriptions.Queues)
        {
            await channel.ExchangeDeclareAsync(queue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            var arguments = QueueTypes.Arguments(await queueTypes.IsQuorumAsync(queue, cancellationToken));
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(queue, queue, routingKey: "", cancellationToken: cancellationToken);
            foreach (var type in events)
            {
                // MassTransit's name for an event's exchange: its namespace and name.
                var exchange = $"{type.Namespace}:{type.Name}";
                await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
                await channel.ExchangeBindAsync(queue, exchange, routingKey: "", cancellationToken: cancellationToken);
            }
        }
    }
}
