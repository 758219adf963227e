namespace Store.Contracts;

public sealed record UserRegistered(
    Guid EventId, DateTimeOffset OccurredAt, string? CorrelationId, int? ActorId, string? ActorName,
    int UserId, string Username, string Email, string? FullName) : IIntegrationEvent;

public sealed record UserDeleted(
    Guid EventId, DateTimeOffset OccurredAt, string? CorrelationId, int? ActorId, string? ActorName,
    int UserId, string Username) : IIntegrationEvent;

public sealed record UserSettingsChanged(
    Guid EventId, DateTimeOffset OccurredAt, string? CorrelationId, int? ActorId, string? ActorName,
    int UserId, bool EmailNotifications) : IIntegrationEvent;
