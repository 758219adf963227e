namespace Store.Contracts;

/// <summary>
/// The suite's durable subscriptions: each consuming service's queue and the events it takes. The
/// consumers' definitions name these queues, and their consumers take exactly these events (their
/// tests check it); the publishing services declare the same queues and bindings before they
/// publish anything, so that an event published before a consumer ever started waits in its queue,
/// whatever order the services start in. (The items service's cache queues are per instance and
/// not durable: an eviction is nothing to keep for an instance that is not there.)
/// </summary>
public static class Subscriptions
{
    public const string AuditLogQueue = "audit-log";
    public const string NotificationsQueue = "notifications";

    public static IReadOnlyDictionary<string, IReadOnlyList<Type>> Queues { get; } = new Dictionary<string, IReadOnlyList<Type>>
    {
        [AuditLogQueue] =
        [
            typeof(UserRegistered), typeof(UserDeleted), typeof(UserSettingsChanged),
            typeof(ItemCreated), typeof(ItemUpdated), typeof(ItemDeleted), typeof(OrderPlaced),
            typeof(ErrorMessagesReplayed),
        ],
        [NotificationsQueue] = [typeof(OrderPlaced), typeof(UserRegistered), typeof(UserSettingsChanged)],
    };
}
