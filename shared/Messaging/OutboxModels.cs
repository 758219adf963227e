using System.Text.Json;

namespace Store.Messaging;

/// <summary>
/// A producer's outbox at a glance. <c>waiting</c>: unsent events the broker returned (no queue was
/// bound yet) or this version could not read, tried again later; <c>stuck</c>: those of them that
/// waited through Outbox:StuckAfterAttempts attempts. The relay is this instance's.
/// </summary>
public sealed record OutboxStatus(
    int Unsent,
    DateTimeOffset? OldestUnsentAt,
    double? OldestUnsentAgeSeconds,
    int Waiting,
    int Stuck,
    DateTimeOffset? LastPublishedAt,
    RelayStatus Relay);

/// <summary>"publishing", or "failing" with the failed rounds in a row since when and the last error.</summary>
public sealed record RelayStatus(string Status, int Failures, DateTimeOffset? FailingSince, string? LastError)
{
    public const string Publishing = "publishing";
    public const string Failing = "failing";
}

/// <summary>One event of the outbox: what it says (<c>data</c>, as on the wire), when it was written and published.</summary>
public sealed record OutboxEvent(
    long Id,
    Guid EventId,
    string EventType,
    string? OrderingKey,
    string? CorrelationId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt,
    int Attempts,
    string? LastError,
    JsonElement Data)
{
    public static OutboxEvent From(OutboxMessage row)
    {
        using var data = JsonDocument.Parse(row.Body);
        // "Store.Contracts.OrderPlaced, Contracts" -> "OrderPlaced", the contract's name.
        var type = row.MessageType.Split(',')[0];
        return new(row.Id, row.MessageId, type[(type.LastIndexOf('.') + 1)..], row.OrderingKey, row.CorrelationId,
            row.CreatedAt, row.SentAt, row.Attempts, row.LastError, data.RootElement.Clone());
    }
}
