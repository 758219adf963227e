using MassTransit;
using Store.Contracts;

namespace Store.Items.Catalog;

/// <summary>
/// Evicts items changed by any instance of the service (this one's own events included, harmlessly).
/// It evicts rather than applying the event's data: the next read reloads the item as committed.
/// Each instance listens on a queue of its own that goes away with it.
/// </summary>
public sealed class ItemCacheEvictor(ItemCache cache) : IConsumer<ItemUpdated>, IConsumer<ItemDeleted>, IConsumer<OrderPlaced>
{
    public Task Consume(ConsumeContext<ItemUpdated> context)
    {
        cache.Evict(context.Message.ItemId);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<ItemDeleted> context)
    {
        cache.Evict(context.Message.ItemId);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<OrderPlaced> context)
    {
        cache.Evict(context.Message.ItemId);
        return Task.CompletedTask;
    }

    /// <summary>Registers the evictor on a per-instance queue: non-durable, deleted when the instance disconnects.</summary>
    public static void Register(IBusRegistrationConfigurator bus)
    {
        var queue = $"items-cache-{Guid.NewGuid():N}";
        bus.AddConsumer<ItemCacheEvictor>().Endpoint(endpoint => endpoint.Name = queue);
        // Runs after the shared callback that makes every queue durable: this one is not.
        bus.AddConfigureEndpointsCallback((name, endpoint) =>
        {
            if (name == queue && endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
            {
                rabbit.Durable = false;
                rabbit.AutoDelete = true;
                rabbit.SetQueueArgument("x-queue-type", "classic");
            }
        });
    }
}
