namespace Store.Contracts;

/// <summary>
/// The envelope every event carries, beside its own fields: its id (the consumers' inbox
/// de-duplicates on it), when it happened, the X-Request-Id of the HTTP request that caused it, and
/// the acting user where there is one. An event names only its own fields
/// (<c>record ItemDeleted(int ItemId, string Name) : IntegrationEvent</c>); a publisher fills the
/// envelope from the request with <c>EventOrigin.Stamp</c>. On the wire these are top-level fields
/// like the event's own (docs/contract.md, Events).
/// </summary>
public abstract record IntegrationEvent
{
    public Guid EventId { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public string? CorrelationId { get; init; }
    public int? ActorId { get; init; }
    public string? ActorName { get; init; }
}
