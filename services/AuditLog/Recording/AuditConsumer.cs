using System.Globalization;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Store.AuditLog.Data;
using Store.Contracts;
using Store.Messaging;
using Store.ServiceDefaults;

namespace Store.AuditLog.Recording;

/// <summary>
/// Records every event of the contracts as one audit entry. Through the inbox: the entry and the
/// record of the message commit together, so a redelivered event adds nothing. An event re-published
/// under another message id is found by its event_id (unique) and not recorded again.
/// </summary>
public sealed class AuditConsumer(AuditDb db, TimeProvider clock) :
    IConsumer<UserRegistered>, IConsumer<UserDeleted>, IConsumer<UserSettingsChanged>,
    IConsumer<ItemCreated>, IConsumer<ItemUpdated>, IConsumer<ItemDeleted>, IConsumer<OrderPlaced>
{
    /// <summary>The consumer's name in <c>inbox_messages</c>.</summary>
    public const string InboxName = "audit";

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

    private async Task RecordAsync<TEvent>(ConsumeContext<TEvent> context, string action, string resourceType, int resourceId)
        where TEvent : class, IIntegrationEvent
    {
        var message = context.Message;
        await db.HandleOnceAsync(context, InboxName, async cancellationToken =>
        {
            // The same event re-published under another message id (a replay by hand, say) is already recorded.
            if (await db.Entries.AnyAsync(e => e.EventId == message.EventId, cancellationToken))
                return;
            db.Entries.Add(new AuditEntry
            {
                EventId = message.EventId,
                EventType = typeof(TEvent).Name,
                ActorId = message.ActorId,
                ActorName = message.ActorName,
                Action = action,
                ResourceType = resourceType,
                ResourceId = resourceId.ToString(CultureInfo.InvariantCulture),
                Data = JsonSerializer.Serialize(message, Json),
                OccurredAt = message.OccurredAt,
                RecordedAt = clock.GetUtcNowForDatabase(),
                CorrelationId = message.CorrelationId ?? context.Headers.Get<string>(RequestIdMiddleware.HeaderName),
            });
        });
    }
}

/// <summary>The audit queue: one durable queue, "audit-log", bound to every event's exchange.</summary>
public sealed class AuditConsumerDefinition : ConsumerDefinition<AuditConsumer>
{
    public AuditConsumerDefinition() => EndpointName = "audit-log";
}

public static class AuditRecording
{
    /// <summary>
    /// Registers the consumer. Retries come from the <c>RabbitMq</c> settings (exponential, then
    /// audit-log_error): a failed insert is a database hiccup, worth a few quick retries.
    /// </summary>
    public static void AddConsumers(IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<AuditConsumer, AuditConsumerDefinition>();
}
