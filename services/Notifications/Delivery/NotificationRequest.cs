namespace Store.Notifications.Delivery;

/// <summary>
/// An e-mail one event asks for: who gets it, what it says, and what the delivery knows of the
/// message that carried it: whether the broker delivered it again because the consumer that had it
/// went away (<c>Redelivered</c>), and whether no retry follows if this attempt fails
/// (<c>LastAttempt</c>: the row then says failed and the message goes to the _error queue).
/// </summary>
public sealed record NotificationRequest(
    Guid EventId, int UserId, string? Recipient, string Subject, string Body, string? CorrelationId, bool Redelivered, bool LastAttempt);
