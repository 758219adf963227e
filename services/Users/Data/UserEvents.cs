using Store.Contracts;
using Store.Messaging;

namespace Store.Users.Data;

/// <summary>The events the users service publishes (docs/contract.md, Events), put in the outbox beside the change.</summary>
internal static class UserEvents
{
    /// <summary>A user's events are published in the order they were committed.</summary>
    public static string Key(int userId) => $"user:{userId}";

    public static UserRegistered Registered(User user, EventOrigin origin) => new(
        origin.EventId, origin.OccurredAt, origin.CorrelationId, origin.ActorId ?? user.Id, origin.ActorName ?? user.Username,
        user.Id, user.Username, user.Email, user.FullName);

    public static UserDeleted Deleted(User user, EventOrigin origin) => new(
        origin.EventId, origin.OccurredAt, origin.CorrelationId, origin.ActorId, origin.ActorName, user.Id, user.Username);

    public static UserSettingsChanged SettingsChanged(User user, EventOrigin origin) => new(
        origin.EventId, origin.OccurredAt, origin.CorrelationId, origin.ActorId, origin.ActorName, user.Id, user.EmailNotifications);
}
