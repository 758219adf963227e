using Store.Contracts;
using Store.Messaging;

namespace Store.Users.Data;

/// <summary>The events the users service publishes (docs/contract.md, Events), put in the outbox beside the change.</summary>
internal static class UserEvents
{
    /// <summary>A user's events are published in the order they were committed.</summary>
    public static string Key(int userId) => $"user:{userId}";

    /// <summary>Without a signed-in actor (a sign-up, the first admin), the new user is the actor.</summary>
    public static UserRegistered Registered(User user, EventOrigin origin) =>
        (origin with { ActorId = origin.ActorId ?? user.Id, ActorName = origin.ActorName ?? user.Username })
        .Stamp(new UserRegistered(user.Id, user.Username, user.Email, user.FullName));

    public static UserDeleted Deleted(User user, EventOrigin origin) => origin.Stamp(new UserDeleted(user.Id, user.Username));

    public static UserSettingsChanged SettingsChanged(User user, EventOrigin origin) =>
        origin.Stamp(new UserSettingsChanged(user.Id, user.EmailNotifications));
}
