using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Store.ServiceDefaults;

namespace Store.Messaging;

/// <summary>
/// What an operator asks of a producer's outbox (admin; the gateway's <c>/ops</c> page shows it):
/// <c>GET {prefix}/outbox</c>, how far behind the relay is, and <c>GET {prefix}/outbox/events</c>,
/// the events one request caused, with when each was published.
/// </summary>
public static class OutboxOperations
{
    /// <summary>The tag of the operators' endpoints, the outbox's and the queues' (<see cref="QueueOperations"/>).</summary>
    internal const string Tag = "Operations";
    internal const string TagDescription = "For operators (admins): this service's outbox and queues, and the replay of an error queue.";

    /// <summary>Maps the outbox's admin endpoints under <paramref name="prefix"/> (the service's own path, e.g. "/api/items").</summary>
    public static IEndpointRouteBuilder MapOutboxOperations<TDb>(this IEndpointRouteBuilder app, string prefix)
        where TDb : DbContext
    {
        var outbox = app.MapGroup($"{prefix}/outbox").WithTag(Tag, TagDescription)
            .RequireAuthorization(Roles.Admin);
        outbox.MapGet("/", (HttpContext http, CancellationToken cancellationToken) => OutboxEndpoints<TDb>.GetStatusAsync(http, cancellationToken)).WithName("GetOutboxStatus")
            .WithSummary("How far behind the outbox relay is: unsent events, the oldest one's age, those that wait for another attempt, the last publish (admin).");
        outbox.MapGet("/events", ([FromQuery(Name = "correlation_id")] string? correlationId, HttpContext http, CancellationToken cancellationToken) =>
                OutboxEndpoints<TDb>.ListEventsAsync(correlationId, http, cancellationToken)).WithName("ListOutboxEvents")
            .WithSummary("The events one request caused (its X-Request-Id as correlation_id), oldest first, with when each was published; sent events are kept for Outbox:Retention (admin).")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    /// <summary>The summary statement's one row (its columns snake_case, as the naming convention maps them).</summary>
    internal sealed record OutboxCounts(int Unsent, DateTimeOffset? OldestUnsentAt, int Waiting, int Stuck, DateTimeOffset? LastPublishedAt);
}

/// <summary>
/// The handlers of <see cref="OutboxOperations"/> for the outbox of <typeparamref name="TDb"/>. They take
/// their services from the request rather than as parameters: ASP.NET Core's route handler analyzer
/// fails on handler parameters of a generic type (AD0001), which warnings as errors makes a build error.
/// </summary>
internal static class OutboxEndpoints<TDb>
    where TDb : DbContext
{
    /// <summary>
    /// One statement: the unsent rows through their partial index, the newest sent_at through its
    /// own (each stays small or is read from one end, however large the table).
    /// </summary>
    public static async Task<Ok<OutboxStatus>> GetStatusAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var db = http.RequestServices.GetRequiredService<TDb>();
        var relay = http.RequestServices.GetRequiredService<OutboxRelayState<TDb>>();
        var options = http.RequestServices.GetRequiredService<IOptions<OutboxOptions>>();
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        var stuckAfter = options.Value.StuckAfterAttempts;
        var row = await db.Database.SqlQuery<OutboxOperations.OutboxCounts>($"""
            SELECT u.unsent, u.oldest_unsent_at, u.waiting, u.stuck,
                   (SELECT max(sent_at) FROM outbox_messages WHERE sent_at IS NOT NULL) AS last_published_at
            FROM (SELECT count(*)::int AS unsent, min(created_at) AS oldest_unsent_at,
                         (count(*) FILTER (WHERE next_attempt_at IS NOT NULL))::int AS waiting,
                         (count(*) FILTER (WHERE attempts >= {stuckAfter}))::int AS stuck
                  FROM outbox_messages WHERE sent_at IS NULL) u
            """).SingleAsync(cancellationToken);
        var (failures, failingSince, lastError) = relay.Read();
        var age = row.OldestUnsentAt is { } oldest ? Math.Max(0, Math.Round((clock.GetUtcNow() - oldest).TotalSeconds, 1)) : (double?)null;
        return TypedResults.Ok(new OutboxStatus(
            row.Unsent, row.OldestUnsentAt, age, row.Waiting, row.Stuck, row.LastPublishedAt,
            failures == 0
                ? new RelayStatus(RelayStatus.Publishing, 0, null, null)
                : new RelayStatus(RelayStatus.Failing, failures, failingSince, lastError)));
    }

    /// <summary>Served by ix_outbox_messages_correlation_id.</summary>
    public static async Task<Results<Ok<OutboxEvent[]>, ValidationProblem>> ListEventsAsync(
        string? correlationId, HttpContext http, CancellationToken cancellationToken)
    {
        var db = http.RequestServices.GetRequiredService<TDb>();
        if (string.IsNullOrWhiteSpace(correlationId))
            return Problems.Invalid("correlation_id", "is required: the X-Request-Id of the request to follow");
        if (correlationId.Length > RequestIdMiddleware.MaxLength)
            return Problems.Invalid("correlation_id", $"must be at most {RequestIdMiddleware.MaxLength} characters");
        var rows = await db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.CorrelationId == correlationId)
            .OrderBy(m => m.Id)
            .Take(Paging.MaxLimit)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(OutboxEvent.From).ToArray());
    }
}
