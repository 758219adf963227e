using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Store.Contracts;

namespace Store.Messaging;

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
