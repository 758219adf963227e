using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Store.ServiceDefaults;

namespace Store.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// MassTransit on RabbitMQ (settings <c>RabbitMq:*</c>): publisher confirms, durable queues named
    /// in kebab-case after their consumers, and the bus in <c>/health/ready</c>. Each consumer's
    /// retries and queue are its <c>ConsumerDefinition</c>'s (most retry with
    /// <see cref="RabbitMqOptions.ConfigureRetry"/>, then go to the queue's <c>_error</c> queue). A service that publishes
    /// adds <see cref="AddOutboxRelay{TDb}"/> too. With <paramref name="consumers"/>, <c>/health/live</c> fails
    /// once a receive endpoint has not consumed for <c>RabbitMq:StuckEndpointTimeout</c> (<see cref="StuckEndpointCheck"/>),
    /// unless <paramref name="consumingIsLiveness"/> is false.
    /// </summary>
    /// <param name="builder">The service's builder.</param>
    /// <param name="consumers">Registers the service's consumers, e.g. <c>bus => bus.AddConsumer&lt;AuditConsumer&gt;()</c>.</param>
    /// <param name="consumingIsLiveness">
    /// False for a service whose consumers are not its purpose (the items service's cache eviction,
    /// whose entries expire anyway): it stays live through a broker outage, since a restart would
    /// only take away the instance that keeps taking requests, with the outbox holding their events.
    /// </param>
    public static WebApplicationBuilder AddMessaging(
        this WebApplicationBuilder builder, Action<IBusRegistrationConfigurator>? consumers = null,
        bool consumingIsLiveness = true)
    {
        builder.Services.AddValidatedOptions<RabbitMqOptions>(RabbitMqOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        QueueOperations.AddManagementClient(builder.Services);
        builder.Services.TryAddSingleton<QueueTypes>();

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            // The outbox keeps requests working while the broker is away, so an outage degrades the
            // service (still 200 on /health/ready) instead of taking it out of rotation.
            bus.ConfigureHealthCheckOptions(health =>
            {
                health.Name = "rabbitmq";
                health.MinimalFailureStatus = HealthStatus.Degraded;
                health.Tags.Add(Health.Ready);
            });
            // Every queue's defaults; a consumer's definition, which MassTransit applies after these
            // callbacks, may set its own (the items cache's per-instance queue is not durable).
            bus.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator queue)
                {
                    queue.Durable = true;
                    queue.AutoDelete = false;
                    // Quorum unless it exists as a classic queue: README, "Queue types".
                    if (context.GetRequiredService<QueueTypes>().IsQuorum(name))
                        queue.SetQuorumQueue();
                }
            });
            consumers?.Invoke(bus);

            bus.UsingRabbitMq((context, broker) =>
            {
                var rabbitMq = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                broker.Host(rabbitMq.Host, rabbitMq.Port, rabbitMq.VirtualHost, host =>
                {
                    host.Username(rabbitMq.Username);
                    host.Password(rabbitMq.Password);
                    host.PublisherConfirmation = true;
                });
                broker.PrefetchCount = rabbitMq.PrefetchCount;
                broker.ConcurrentMessageLimit = rabbitMq.ConcurrentMessageLimit;
                broker.ConfigureEndpoints(context);
            });
        });

        if (consumers is not null && consumingIsLiveness)
        {
            // A singleton: the check remembers since when each endpoint has been unhealthy, and a check
            // type that is not registered is created anew for every probe.
            builder.Services.TryAddSingleton<StuckEndpointCheck>();
            builder.Services.AddHealthChecks().AddCheck<StuckEndpointCheck>("consuming", tags: [Health.Live]);
        }

        return builder;
    }

    /// <summary>
    /// The outbox relay of <typeparamref name="TDb"/> (whose model calls <see cref="Outbox.AddOutbox"/>):
    /// publishes what that database's transactions put in <c>outbox_messages</c> (settings
    /// <c>Outbox:*</c>), woken by their commits, with its health check (<c>outbox</c>, degraded while
    /// it cannot publish or an event waits too long). Call after <see cref="AddMessaging"/>.
    /// </summary>
    public static WebApplicationBuilder AddOutboxRelay<TDb>(this WebApplicationBuilder builder)
        where TDb : DbContext
    {
        builder.Services.AddValidatedOptions<OutboxOptions>(OutboxOptions.Section);
        builder.Services.AddSingleton<OutboxSignal<TDb>>();
        builder.Services.AddSingleton<OutboxCommitInterceptor<TDb>>();
        builder.Services.ConfigureDbContext<TDb>((services, options) =>
            options.AddInterceptors(services.GetRequiredService<OutboxCommitInterceptor<TDb>>()));
        builder.Services.AddSingleton<OutboxRelayState<TDb>>();
        builder.Services.TryAddSingleton<SubscriptionTopology>();
        builder.Services.AddHostedService<OutboxRelay<TDb>>();
        builder.Services.AddHealthChecks().AddCheck<OutboxHealthCheck<TDb>>("outbox", tags: [Health.Ready]);
        return builder;
    }
}
