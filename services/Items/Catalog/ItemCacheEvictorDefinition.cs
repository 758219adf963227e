using MassTransit;

namespace Store.Items.Catalog;

/// <summary>
/// The evictor's queue: one per instance, named after it, not durable and deleted when the instance
/// disconnects (an eviction matters only to the instance that is running). No retries: evicting
/// cannot fail.
/// </summary>
public sealed class ItemCacheEvictorDefinition : ConsumerDefinition<ItemCacheEvictor>
{
    public ItemCacheEvictorDefinition() => EndpointName = $"items-cache-{Guid.NewGuid():N}";

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ItemCacheEvictor> consumerConfigurator, IRegistrationContext context)
    {
        // MassTransit applies a definition after the callbacks that give every queue its defaults.
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.Durable = false;
            rabbit.AutoDelete = true;
            rabbit.SetQueueArgument("x-queue-type", "classic");
        }
    }
}
