using Microsoft.EntityFrameworkCore;
using Store.AuditLog.Data;
using Store.Messaging;

namespace Store.AuditLog.Recording;

/// <summary>
/// Writes the audit entries of the events being consumed at the same time with one INSERT per batch
/// (<see cref="Batcher{TItem}"/>). The unique <c>event_id</c> is the exactly-once guard: an event
/// delivered again, or re-published under another message id, is one conflict the INSERT skips.
/// </summary>
public sealed class AuditWriter
{
    /// <summary>The most entries one INSERT writes (at most the queue's prefetch are waiting anyway).</summary>
    public const int MaxBatchSize = 128;

    private readonly IServiceScopeFactory _scopes;
    private readonly Batcher<AuditEntry> _batcher;

    public AuditWriter(IServiceScopeFactory scopes)
    {
        _scopes = scopes;
        _batcher = new Batcher<AuditEntry>("audit", WriteAsync, MaxBatchSize);
    }

    /// <summary>Completes once the entry is committed (or was there already).</summary>
    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken) => _batcher.HandleAsync(entry, cancellationToken);

    private async Task<IReadOnlyList<Exception?>> WriteAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuditDb>();
        var eventIds = entries.Select(e => e.EventId).ToArray();
        var eventTypes = entries.Select(e => e.EventType).ToArray();
        var actorIds = entries.Select(e => e.ActorId).ToArray();
        var actorNames = entries.Select(e => e.ActorName).ToArray();
        var actions = entries.Select(e => e.Action).ToArray();
        var resourceTypes = entries.Select(e => e.ResourceType).ToArray();
        var resourceIds = entries.Select(e => e.ResourceId).ToArray();
        var data = entries.Select(e => e.Data).ToArray();
        var occurredAt = entries.Select(e => e.OccurredAt).ToArray();
        var recordedAt = entries.Select(e => e.RecordedAt).ToArray();
        var correlationIds = entries.Select(e => e.CorrelationId).ToArray();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO audit_entries (event_id, event_type, actor_id, actor_name, action, resource_type, resource_id,
                                       data, occurred_at, recorded_at, correlation_id)
            SELECT event_id, event_type, actor_id, actor_name, action, resource_type, resource_id,
                   data::jsonb, occurred_at, recorded_at, correlation_id
            FROM unnest({eventIds}, {eventTypes}, {actorIds}, {actorNames}, {actions}, {resourceTypes}, {resourceIds},
                        {data}, {occurredAt}, {recordedAt}, {correlationIds})
                 AS entry(event_id, event_type, actor_id, actor_name, action, resource_type, resource_id,
                          data, occurred_at, recorded_at, correlation_id)
            ON CONFLICT (event_id) DO NOTHING
            """, cancellationToken);
        return [];
    }
}
