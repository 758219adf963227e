namespace Store.Contracts;

/// <summary>
/// What every event carries: its own id (the inbox de-duplicates on it), when it happened, the
/// X-Request-Id of the HTTP request that caused it, and the acting user where there is one.
/// </summary>
public interface IIntegrationEvent
{
    Guid EventId { get; }
    DateTimeOffset OccurredAt { get; }
    string? CorrelationId { get; }
    int? ActorId { get; }
    string? ActorName { get; }
}
