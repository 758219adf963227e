using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Store.AuditLog.Data;
using Store.ServiceDefaults;

namespace Store.AuditLog.Queries;

public sealed record AuditEntryResponse(
    long Id,
    Guid EventId,
    string EventType,
    int? ActorId,
    string? ActorName,
    string Action,
    string ResourceType,
    string ResourceId,
    JsonElement Data,
    DateTimeOffset OccurredAt,
    DateTimeOffset RecordedAt,
    string? CorrelationId)
{
    public static AuditEntryResponse From(AuditEntry entry)
    {
        using var data = JsonDocument.Parse(entry.Data);
        return new(entry.Id, entry.EventId, entry.EventType, entry.ActorId, entry.ActorName, entry.Action,
            entry.ResourceType, entry.ResourceId, data.RootElement.Clone(), entry.OccurredAt, entry.RecordedAt, entry.CorrelationId);
    }
}

/// <summary>The list's query string: filters and paging. A value that does not parse is a 400 problem.</summary>
public sealed record AuditQuery : IPageQuery
{
    [FromQuery(Name = "event_type"), StringLength(100)]
    public string? EventType { get; init; }

    [FromQuery(Name = "actor_id"), Range(1, int.MaxValue)]
    public int? ActorId { get; init; }

    /// <summary>"user", "item", "order" or "queue" (a replay of its _error queue).</summary>
    [FromQuery(Name = "resource_type"), StringLength(50)]
    public string? ResourceType { get; init; }

    [FromQuery(Name = "resource_id"), StringLength(100)]
    public string? ResourceId { get; init; }

    /// <summary>The events one request caused: its X-Request-Id.</summary>
    [FromQuery(Name = "correlation_id"), StringLength(128)]
    public string? CorrelationId { get; init; }

    /// <summary>Events that occurred at or after this instant (ISO 8601).</summary>
    [FromQuery(Name = "since")]
    public DateTimeOffset? Since { get; init; }

    /// <summary>Events that occurred before this instant (ISO 8601).</summary>
    [FromQuery(Name = "until")]
    public DateTimeOffset? Until { get; init; }

    [FromQuery(Name = "skip"), Range(0, int.MaxValue)]
    public int? Skip { get; init; }

    /// <summary>1..100 (default 10), as every list of the suite.</summary>
    [FromQuery(Name = "limit"), Range(1, Paging.MaxLimit)]
    public int? Limit { get; init; }
}
