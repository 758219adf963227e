using MassTransit;
using Store.Contracts;

namespace Store.Items.Catalog;

/// <summary>
/// Evicts items that any instance of the service changed or deleted (this one's own events
/// included, harmlessly: they are rare admin writes). It evicts rather than applying the event's
/// data: the next read reloads the item as committed. Each instance listens on a queue of its own
/// that goes away with it. OrderPlaced is not consumed: a purchase evicts the item on the instance
/// that made it, right after its commit, and another instance's copy shows the new stock within
/// <see cref="ItemCacheOptions.MaxAge"/>; so a purchase costs no third delivery through the broker.
/// Nor is ItemCreated: a new item is nothing a cache holds stale, and another instance's pages of
/// the list show it within the same bound.
/// </summary>
public sealed class ItemCacheEvictor(ItemCache cache) : IConsumer<ItemUpdated>, IConsumer<ItemDeleted>
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

    /// <summary>Registers the evictor on its per-instance queue (<see cref="ItemCacheEvictorDefinition"/>).</summary>
    public static void Register(IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<ItemCacheEvictor, ItemCacheEvictorDefinition>();
}
