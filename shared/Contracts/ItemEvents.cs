namespace Store.Contracts;

public sealed record ItemCreated(
    Guid EventId, DateTimeOffset OccurredAt, string? CorrelationId, int? ActorId, string? ActorName,
    int ItemId, string Name, string? Description, decimal Price, decimal? Tax,
    IReadOnlyList<string> Tags, int Stock) : IIntegrationEvent;

/// <summary>The item as it is after the change, and the names of the fields the change touched.</summary>
public sealed record ItemUpdated(
    Guid EventId, DateTimeOffset OccurredAt, string? CorrelationId, int? ActorId, string? ActorName,
    int ItemId, string Name, string? Description, decimal Price, decimal? Tax,
    IReadOnlyList<string> Tags, int Stock, IReadOnlyList<string> ChangedFields) : IIntegrationEvent;

public sealed record ItemDeleted(
    Guid EventId, DateTimeOffset OccurredAt, string? CorrelationId, int? ActorId, string? ActorName,
    int ItemId, string Name) : IIntegrationEvent;

public sealed record OrderPlaced(
    Guid EventId, DateTimeOffset OccurredAt, string? CorrelationId, int? ActorId, string? ActorName,
    int OrderId, int ItemId, string ItemName, int Quantity, decimal UnitPrice, decimal Total,
    int UserId, string Username, string? Email) : IIntegrationEvent;
