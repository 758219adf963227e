using MassTransit;
using Microsoft.Extensions.Options;
using Store.Contracts;
using Store.Messaging;

namespace Store.Consumers.Tests;

/// <summary>
/// The subscriptions the publishers declare (<see cref="Subscriptions.Queues"/>) are the consumers'
/// own: every consumer definition's queue is listed, with exactly the events its consumers take, so
/// a consumer that starts taking an event has its queue bound for it before it ever starts.
/// </summary>
public sealed class SubscriptionTests
{
    [Fact]
    public void Every_consumer_queue_is_declared_with_exactly_the_events_its_consumers_take()
    {
        var consumed = new[] { typeof(Store.AuditLog.Recording.AuditConsumer).Assembly, typeof(Store.Notifications.Delivery.NotificationConsumer).Assembly }
            .SelectMany(assembly => assembly.GetTypes())
            .Where(type => type is { IsClass: true, IsAbstract: false } && type.BaseType is { IsGenericType: true } baseType
                && baseType.GetGenericTypeDefinition() == typeof(RetryingConsumerDefinition<>))
            .Select(definition => (
                Queue: ((IConsumerDefinition)Activator.CreateInstance(definition, Options.Create(new RabbitMqOptions()))!).GetEndpointName(DefaultEndpointNameFormatter.Instance),
                Consumer: definition.BaseType!.GetGenericArguments()[0]))
            .GroupBy(d => d.Queue)
            .ToDictionary(queue => queue.Key, queue => queue.SelectMany(d => EventsOf(d.Consumer)).ToHashSet());

        Assert.Equal(Subscriptions.Queues.Keys.Order(), consumed.Keys.Order());
        foreach (var (queue, events) in Subscriptions.Queues)
            Assert.True(events.ToHashSet().SetEquals(consumed[queue]),
                $"{queue}: declared {string.Join(", ", events.Select(e => e.Name).Order())}; consumed {string.Join(", ", consumed[queue].Select(e => e.Name).Order())}.");
    }

    private static IEnumerable<Type> EventsOf(Type consumer) => consumer.GetInterfaces()
        .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
        .Select(i => i.GetGenericArguments()[0]);
}
