using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Store.Contracts;

namespace Store.Messaging;

/// <summary>
/// An event waiting in the publishing service's own database (table <c>outbox_messages</c>) until the
/// relay has published it. It is written by the same SaveChanges, in the same transaction, as the
/// change it announces, so the change and its event commit together or not at all.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>Assigned at insert; the relay publishes in this order.</summary>
    public long Id { get; set; }

    /// <summary>The event's own <c>event_id</c>, published as the MassTransit MessageId the inbox de-duplicates on.</summary>
    public Guid MessageId { get; set; }

    /// <summary>The event's CLR type, "Namespace.Type, Assembly".</summary>
    public required string MessageType { get; set; }

    /// <summary>The event as JSON.</summary>
    public required string Body { get; set; }

    /// <summary>
    /// Events with the same key (e.g. "item:5") are published in the order they were committed, also
    /// with several relays running. Null: no order to keep.
    /// </summary>
    public string? OrderingKey { get; set; }

    public string? CorrelationId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the broker confirmed it; null while it waits.</summary>
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>How often the broker returned it because no queue was bound to its exchange yet.</summary>
    public int Attempts { get; set; }

    /// <summary>
    /// While set and in the future, the row (and every later row of its key) waits: the broker
    /// returned it, and it is tried again then.
    /// </summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>Why the last attempt did not publish it.</summary>
    public string? LastError { get; set; }
}

public static class Outbox
{
    internal const string Table = "outbox_messages";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private static readonly ConcurrentDictionary<Type, string> TypeNames = new();

    /// <summary>Adds the <c>outbox_messages</c> table to a publishing service's model (and so to its migrations).</summary>
    public static ModelBuilder AddOutbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(message =>
        {
            message.ToTable(Table);
            message.Property(m => m.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            message.Property(m => m.MessageId).HasColumnName("message_id");
            message.Property(m => m.MessageType).HasColumnName("message_type").HasMaxLength(300);
            message.Property(m => m.Body).HasColumnName("body").HasColumnType("jsonb");
            message.Property(m => m.OrderingKey).HasColumnName("ordering_key").HasMaxLength(200);
            message.Property(m => m.CorrelationId).HasColumnName("correlation_id").HasMaxLength(128);
            message.Property(m => m.CreatedAt).HasColumnName("created_at");
            message.Property(m => m.SentAt).HasColumnName("sent_at");
            message.Property(m => m.Attempts).HasColumnName("attempts").HasDefaultValue(0);
            message.Property(m => m.NextAttemptAt).HasColumnName("next_attempt_at");
            message.Property(m => m.LastError).HasColumnName("last_error").HasMaxLength(1000);
            // The relay claims unsent rows in id order, skipping the keys of rows that wait for a
            // queue; pruning finds sent rows by age; an operator follows a request by its id. Partial indexes keep each of these small (the
            // waiting rows' index is empty while every event has a queue).
            message.HasIndex(m => m.Id).HasDatabaseName("ix_outbox_messages_unsent").HasFilter("sent_at IS NULL");
            message.HasIndex(m => m.SentAt).HasDatabaseName("ix_outbox_messages_sent_at")
                .HasFilter("sent_at IS NOT NULL");
            message.HasIndex(m => m.OrderingKey).HasDatabaseName("ix_outbox_messages_waiting_keys")
                .HasFilter("sent_at IS NULL AND next_attempt_at IS NOT NULL");
            // The events of one request, for the operator's page (OutboxOperations).
            message.HasIndex(m => m.CorrelationId).HasDatabaseName("ix_outbox_messages_correlation_id");
        });
        return modelBuilder;
    }

    /// <summary>
    /// Queues <paramref name="message"/> for publishing; it is saved by the next SaveChanges of
    /// <paramref name="db"/>, in the same transaction as the change it announces. With an
    /// <paramref name="orderingKey"/>, take the aggregate's row lock (update or lock its row) before
    /// this row is inserted, so that row ids follow commit order for the key.
    /// </summary>
    public static OutboxMessage AddToOutbox<TEvent>(this DbContext db, TEvent message, string? orderingKey = null)
        where TEvent : IntegrationEvent
    {
        var row = Row(message, orderingKey);
        db.Set<OutboxMessage>().Add(row);
        return row;
    }

    /// <summary>
    /// The outbox row of <paramref name="message"/>, for a statement that inserts it itself (in the
    /// same statement or transaction as the change it announces), with the same rules as <see cref="AddToOutbox"/>.
    /// </summary>
    public static OutboxMessage Row<TEvent>(TEvent message, string? orderingKey = null)
        where TEvent : IntegrationEvent => new()
        {
            MessageId = message.EventId,
            MessageType = TypeNames.GetOrAdd(typeof(TEvent), type => $"{type.FullName}, {type.Assembly.GetName().Name}"),
            Body = JsonSerializer.Serialize(message, Json),
            OrderingKey = orderingKey,
            CorrelationId = message.CorrelationId,
            CreatedAt = message.OccurredAt,
        };
}
