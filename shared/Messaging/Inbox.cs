using MassTransit;
using Microsoft.EntityFrameworkCore;
using Store.ServiceDefaults;

namespace Store.Messaging;

/// <summary>A message a consumer has handled (table <c>inbox_messages</c> in the consumer's own database).</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }

    /// <summary>Which consumer handled it: one message may be handled by several consumers of one service.</summary>
    public required string Consumer { get; set; }

    public DateTimeOffset HandledAt { get; set; }
}

/// <summary>
/// Makes a consumer's effect happen once although RabbitMQ delivers at least once: the consumer's
/// writes and the record of the message id commit in one transaction, and a message already
/// recorded is acknowledged without running the consumer's work again.
/// </summary>
public static class Inbox
{
    internal const string Table = "inbox_messages";

    /// <summary>Adds the <c>inbox_messages</c> table to a consuming service's model (and so to its migrations).</summary>
    public static ModelBuilder AddInbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<InboxMessage>(message =>
        {
            message.ToTable(Table);
            message.HasKey(m => new { m.MessageId, m.Consumer });
            message.Property(m => m.MessageId).HasColumnName("message_id");
            message.Property(m => m.Consumer).HasColumnName("consumer").HasMaxLength(200);
            message.Property(m => m.HandledAt).HasColumnName("handled_at");
            message.HasIndex(m => m.HandledAt).HasDatabaseName("ix_inbox_messages_handled_at");
        });
        return modelBuilder;
    }

    /// <summary>
    /// Runs <paramref name="work"/> (which changes <paramref name="db"/>) and saves its changes together
    /// with the record that <paramref name="consumer"/> handled the message, in one transaction.
    /// Returns false, having done nothing, when the message was handled before. A duplicate delivered
    /// at the same moment waits on the first one's row and is skipped once that commits; if
    /// <paramref name="work"/> throws, nothing is recorded and the retry runs it again.
    /// </summary>
    public static async Task<bool> HandleOnceAsync(
        this DbContext db, ConsumeContext context, string consumer, Func<CancellationToken, Task> work)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException("The message has no MessageId to de-duplicate on.");
        return await db.HandleOnceAsync(messageId, consumer, work, context.CancellationToken);
    }

    /// <inheritdoc cref="HandleOnceAsync(DbContext, ConsumeContext, string, Func{CancellationToken, Task})"/>
    public static async Task<bool> HandleOnceAsync(
        this DbContext db, Guid messageId, string consumer, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        await using var transaction = await db.BeginTransactionWithoutSavepointsAsync(cancellationToken);
        var recorded = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO inbox_messages (message_id, consumer, handled_at)
            VALUES ({messageId}, {consumer}, now())
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        if (recorded == 0)
            return false;

        try
        {
            await work(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        catch
        {
            // Nothing of the failed attempt may be saved by a later SaveChanges of this context.
            db.ChangeTracker.Clear();
            throw;
        }
    }
}
