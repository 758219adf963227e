using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Store.Notifications.Data;
using Store.ServiceDefaults;

namespace Store.Notifications.Queries;

public sealed record NotificationResponse(
    long Id,
    Guid EventId,
    int UserId,
    string Channel,
    string? Recipient,
    string Subject,
    string Body,
    string Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt,
    string? CorrelationId)
{
    public static NotificationResponse From(Notification n) => new(
        n.Id, n.EventId, n.UserId, n.Channel, n.Recipient, n.Subject, n.Body, n.Status, n.Attempts, n.CreatedAt, n.SentAt, n.CorrelationId);
}

/// <summary>Paging of a list (default 0 and 10; limit 1..100), as every list of the suite.</summary>
public record NotificationPage : IPageQuery
{
    [FromQuery(Name = "skip"), Range(0, int.MaxValue)]
    public int? Skip { get; init; }

    [FromQuery(Name = "limit"), Range(1, Paging.MaxLimit)]
    public int? Limit { get; init; }
}

/// <summary>The admin's list: paging, and optionally one user's or one request's notifications.</summary>
public sealed record NotificationQuery : NotificationPage
{
    [FromQuery(Name = "user_id"), Range(1, int.MaxValue)]
    public int? UserId { get; init; }

    /// <summary>The notifications one request caused: its X-Request-Id.</summary>
    [FromQuery(Name = "correlation_id"), StringLength(128)]
    public string? CorrelationId { get; init; }
}
