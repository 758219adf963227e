namespace Store.AuditLog.Data;

/// <summary>One event as the audit log keeps it: who did what to which resource, and the event itself.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    /// <summary>The event's own id; unique, so an event is recorded once however often it is delivered.</summary>
    public Guid EventId { get; set; }

    /// <summary>The contract's name of the event, e.g. "OrderPlaced".</summary>
    public required string EventType { get; set; }

    public int? ActorId { get; set; }
    public string? ActorName { get; set; }

    /// <summary>What happened to the resource, e.g. "registered", "updated", "placed".</summary>
    public required string Action { get; set; }

    /// <summary>"user", "item", "order" or "queue" (a replay of its _error queue).</summary>
    public required string ResourceType { get; set; }

    public required string ResourceId { get; set; }

    /// <summary>The whole event as JSON (snake_case, as on the wire).</summary>
    public required string Data { get; set; }

    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public string? CorrelationId { get; set; }
}
