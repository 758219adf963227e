using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Store.AuditLog.Data;
using Store.ServiceDefaults;

namespace Store.AuditLog.Queries;

/// <summary>/api/audit: the audit log, for admins.</summary>
public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/audit").WithTag("Audit", "The audit log: one entry per event of the suite, recorded once however often it was delivered (admins).")
            .RequireAuthorization(Roles.Admin)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        audit.MapGet("/", ListEntries).WithName("ListAuditEntries").WithSummary("List audit entries, newest first, filtered and paged; X-Total-Count holds the number of matches (admin).");
        return app;
    }

    /// <summary>
    /// Each filter is served by an index that begins with its column(s) and ends in (occurred_at DESC, id DESC):
    /// event_type -> ix_audit_entries_event_type_occurred_at, actor_id -> ix_audit_entries_actor_id_occurred_at,
    /// resource_type/resource_id -> ix_audit_entries_resource_occurred_at,
    /// correlation_id -> ix_audit_entries_correlation_id_occurred_at, since/until alone -> ix_audit_entries_occurred_at.
    /// </summary>
    public static async Task<Results<Ok<AuditEntryResponse[]>, ValidationProblem>> ListEntries(
        [AsParameters] AuditQuery query, AuditDb db, HttpResponse response, CancellationToken cancellationToken)
    {
        if (query.Since is { } since && query.Until is { } until && until < since)
            return Problems.Invalid("until", "must not be before since");

        var matches = db.Entries.AsNoTracking();
        if (!string.IsNullOrEmpty(query.EventType))
            matches = matches.Where(e => e.EventType == query.EventType);
        if (query.ActorId is { } actorId)
            matches = matches.Where(e => e.ActorId == actorId);
        if (!string.IsNullOrEmpty(query.ResourceType))
            matches = matches.Where(e => e.ResourceType == query.ResourceType);
        if (!string.IsNullOrEmpty(query.ResourceId))
            matches = matches.Where(e => e.ResourceId == query.ResourceId);
        if (!string.IsNullOrEmpty(query.CorrelationId))
            matches = matches.Where(e => e.CorrelationId == query.CorrelationId);
        if (query.Since is { } from)
            matches = matches.Where(e => e.OccurredAt >= from.ToUniversalTime());
        if (query.Until is { } to)
            matches = matches.Where(e => e.OccurredAt < to.ToUniversalTime());

        var page = await matches.ToPageAsync(query, m => m.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id), response, cancellationToken);
        return TypedResults.Ok(page.Select(AuditEntryResponse.From).ToArray());
    }
}
