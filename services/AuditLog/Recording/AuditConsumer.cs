using System.Globalization;
using System.Text.Json;
using MassTransit;
using Store.AuditLog.Data;
using Store.Contracts;
using Store.ServiceDefaults;

namespace Store.AuditLog.Recording;

/// <summary>
/// Records every event of the contracts as one audit entry, written in batches by <see cref="AuditWriter"/>:
/// a message is acknowledged once its entry is committed, and an event delivered again (or
/// re-published under another message id) adds nothing, since event_id is unique.
/// </summary>
public sealed class AuditConsumer(AuditWriter writer, TimeProvider clock) :
    IConsumer<UserRegistered>, IConsumer<UserDeleted>, IConsumer<UserSettingsChanged>,
    IConsumer<ItemCreated>, IConsumer<ItemUpdated>, IConsumer<ItemDeleted>, IConsumer<OrderPlaced>,
    IConsumer<ErrorMessagesReplayed>
{
    /// <summary>Registers the consumer, with its queue and retries (<see cref="AuditConsumerDefinition"/>), and its writer.</summary>
    public static void Register(IBusRegistrationConfigurator bus)
    {
        bus.AddSingleton<AuditWriter>();
        bus.AddConsumer<AuditConsumer, AuditConsumerDefinition>();
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public Task Consume(ConsumeContext<UserRegistered> context) =>
        RecordAsync(context, "registered", "user", context.Message.UserId);

    public Task Consume(ConsumeContext<UserDeleted> context) =>
        RecordAsync(context, "deleted", "user", context.Message.UserId);

    public Task Consume(ConsumeContext<UserSettingsChanged> context) =>
        RecordAsync(context, "settings_changed", "user", context.Message.UserId);

    public Task Consume(ConsumeContext<ItemCreated> context) =>
        RecordAsync(context, "created", "item", context.Message.ItemId);

    public Task Consume(ConsumeContext<ItemUpdated> context) =>
        RecordAsync(context, "updated", "item", context.Message.ItemId);

    public Task Consume(ConsumeContext<ItemDeleted> context) =>
        RecordAsync(context, "deleted", "item", context.Message.ItemId);

    public Task Consume(ConsumeContext<OrderPlaced> context) =>
        RecordAsync(context, "placed", "order", context.Message.OrderId);

    public Task Consume(ConsumeContext<ErrorMessagesReplayed> context) =>
        RecordAsync(context, "replayed", "queue", context.Message.Queue);

    private Task RecordAsync<TEvent>(ConsumeContext<TEvent> context, string action, string resourceType, int resourceId)
        where TEvent : IntegrationEvent =>
        RecordAsync(context, action, resourceType, resourceId.ToString(CultureInfo.InvariantCulture));

    private Task RecordAsync<TEvent>(ConsumeContext<TEvent> context, string action, string resourceType, string resourceId)
        where TEvent : IntegrationEvent
    {
        var message = context.Message;
        return writer.RecordAsync(new AuditEntry
        {
            EventId = message.EventId,
            EventType = typeof(TEvent).Name,
            ActorId = message.ActorId,
            ActorName = message.ActorName,
            Action = action,
            ResourceType = resourceType,
            ResourceId = resourceId,
            Data = JsonSerializer.Serialize(message, Json),
            OccurredAt = message.OccurredAt,
            RecordedAt = clock.GetUtcNowForDatabase(),
            CorrelationId = message.CorrelationId ?? context.Headers.Get<string>(RequestIdMiddleware.HeaderName),
        }, context.CancellationToken);
    }
}
