namespace Store.Contracts;

public sealed record UserRegistered(int UserId, string Username, string Email, string? FullName) : IntegrationEvent;

public sealed record UserDeleted(int UserId, string Username) : IntegrationEvent;

public sealed record UserSettingsChanged(int UserId, bool EmailNotifications) : IntegrationEvent;
