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
