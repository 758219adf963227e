namespace Store.Notifications.Data;

/// <summary>One e-mail the service owes a user because of one event, and how its delivery went.</summary>
public sealed class Notification
{
    /// <summary>Recorded, not yet delivered: a failed send waits for its retry.</summary>
    public const string Pending = "pending";

    /// <summary>Claimed by a consumer that is sending it now (<see cref="ClaimedBy"/>, since <see cref="ClaimedAt"/>).</summary>
    public const string Sending = "sending";
    public const string Sent = "sent";

    /// <summary>The user turned e-mail notifications off, or there is no address: nothing is sent.</summary>
    public const string Skipped = "skipped";

    /// <summary>Every attempt failed; the message is in the queue's _error queue for replay.</summary>
    public const string Failed = "failed";

    public const string Email = "email";

    public long Id { get; set; }

    /// <summary>The event this notification answers; unique, so one event never makes two e-mails.</summary>
    public Guid EventId { get; set; }

    public int UserId { get; set; }
    public required string Channel { get; set; }
    public string? Recipient { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public required string Status { get; set; }

    /// <summary>How many sends were tried.</summary>
    public int Attempts { get; set; }

    public string? LastError { get; set; }
    public string? CorrelationId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>While sending: since when, and which process (a takeover decides by these).</summary>
    public DateTimeOffset? ClaimedAt { get; set; }

    public Guid? ClaimedBy { get; set; }
}
