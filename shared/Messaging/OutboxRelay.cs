using System.Collections.Concurrent;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Store.ServiceDefaults;

namespace Store.Messaging;

/// <summary>
/// Publishes the outbox of <typeparamref name="TDb"/>: claims unsent rows in id order, publishes them
/// through MassTransit (a key's rows one after another, each waiting for the broker's confirm,
/// different keys side by side), and marks them sent in one statement. A batch's confirms overlap
/// the next batch's claim and publish: while they are on their way, the rows committed since are
/// claimed and published (a key of the batch in flight once its rows there are confirmed, so a key's
/// rows still leave one after another), and then the batch in flight is marked. A failed publish is
/// retried with exponential backoff, forever: a broker outage delays events and never loses one.
/// Every publish is mandatory: an event that no queue is bound for yet (its consumers have not
/// started since the broker was new, or their queue was deleted) is returned by the broker rather
/// than confirmed and dropped, and then waits with its key's later rows (backing off per row,
/// <c>next_attempt_at</c>) while the rest of the outbox goes on. A row this version cannot read (an
/// event type it does not know, after a rollback, say) waits the same way instead of failing every round.
/// Before its first round it declares the consumers' queues (<see cref="SubscriptionTopology"/>), so
/// that no start order leaves one consumer without events another one received.
/// Several instances may run against one database: a relay publishes only while its session holds
/// the outbox's advisory lock, so one relay publishes at a time (any instance's rows) and the others
/// stand by, taking over at once when it stops (docs/decisions/0007-outbox-relay-order-and-wake-up.md).
/// Sent rows are deleted after the retention period.
/// </summary>
internal sealed partial class OutboxRelay<TDb>(
    IServiceScopeFactory scopes,
    IBus bus,
    OutboxSignal<TDb> signal,
    OutboxRelayState<TDb> state,
    SubscriptionTopology subscriptions,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<OutboxRelay<TDb>> logger) : BackgroundService
    where TDb : DbContext
{
    private static readonly ConcurrentDictionary<string, Type> MessageTypes = new();

    /// <summary>The advisory lock (per database) the publishing relay's session holds: "STOROUTB".</summary>
    internal const long RelayLock = 0x5354_4f52_4f55_5442;

    /// <summary>How soon a relay that found the lock taken looks again when rows of its own are waiting.</summary>
    private static readonly TimeSpan StandbyRetry = TimeSpan.FromMilliseconds(50);
    private readonly OutboxOptions _options = options.Value;
    private bool _subscriptionsDeclared;
    private int _failures;
    private DateTimeOffset _nextPrune = clock.GetUtcNow();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Before the first publish, every consumer's queue exists (SubscriptionTopology).
                if (!_subscriptionsDeclared)
                {
                    await subscriptions.DeclareAsync(stoppingToken);
                    _subscriptionsDeclared = true;
                }
                // Commits from here on may have come too late for the lock holder's last claim.
                var seen = signal.Commits;
                if (!await LeadAsync(stoppingToken))
                {
                    // Another instance's relay holds the outbox: it publishes this instance's rows
                    // too. Look again soon if this instance has committed rows, else at the poll.
                    await Task.Delay(StandbyRetry, clock, stoppingToken);
                    await signal.WaitAsync(seen, _options.PollInterval, stoppingToken);
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: what was confirmed is marked sent, the rest waits for the next start.
                return;
            }
            catch (Exception e)
            {
                _failures++;
                // The broker that answers next may be a new, empty one: declare the queues again first.
                _subscriptionsDeclared = false;
                state.Failed(e, clock.GetUtcNow());
                var delay = Backoff(_failures);
                LogRoundFailed(logger, e, _failures, delay);
                try
                {
                    await Task.Delay(delay, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Takes the outbox's lock for a session of this relay and publishes until stopped or a publish
    /// fails (then throws, after marking what the broker confirmed). Returns false at once when
    /// another relay holds the lock.
    /// </summary>
    private async Task<bool> LeadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        // The lock belongs to this session, and ends with it also when the process dies: rows then
        // leave in id order, one key's rows one after another, without comparing batches with other
        // relays. Every statement of the relay runs in this session, so a relay whose session broke
        // marks nothing more.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var locked = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({RelayLock}) AS \"Value\"").SingleAsync(cancellationToken);
            if (!locked)
                return false;
            // Every statement of the relay finds its rows by an index, and plans that way here:
            // - The claim walks the unsent rows' index from its oldest entry, where every row marked
            //   sent since the table's last vacuum left a dead entry. A bitmap scan (the planner's
            //   choice) visits the row of each dead entry on every claim; an index scan marks them dead
            //   in the index once and steps over them after: 0.6 ms a claim instead of 6.3 with 160,000
            //   rows marked since the last vacuum (bench/outbox-claim.sh; docs/benchmarks.md, "The
            //   outbox between two vacuums").
            // - The session's statements are prepared, and from the sixth round on PostgreSQL may reuse
            //   a generic plan made for the table as it was then. Made while the table was nearly empty,
            //   the mark's plan read the whole table every round until autovacuum's first ANALYZE
            //   (docs/benchmarks.md, "Plans made for an empty table").
            // Set inside the try: the lock must be released whatever fails.
            try
            {
                await db.Database.ExecuteSqlRawAsync("SET enable_bitmapscan = off; SET enable_seqscan = off", cancellationToken);
                await PublishWhileLeadingAsync(db, cancellationToken);
            }
            finally
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({RelayLock})", CancellationToken.None);
                // The connection goes back to a pool that does not reset sessions (Database.cs).
                await db.Database.ExecuteSqlRawAsync("RESET enable_bitmapscan; RESET enable_seqscan", CancellationToken.None);
            }
            return true;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Claims, publishes and marks, with at most two batches out at a time: the one whose confirms are
    /// on their way, and the next, claimed as soon as rows are committed. A batch is marked once its
    /// confirms are in, while the next one's are on their way. Commits during a claim are one claim
    /// after it; a full batch means more may be waiting, so the next claim follows at once; and no
    /// claim runs for nothing.
    /// </summary>
    private async Task PublishWhileLeadingAsync(TDb db, CancellationToken cancellationToken)
    {
        Batch? inFlight = null;
        Batch? claimed = null;
        try
        {
            var claimDue = true;
            var full = false;
            var seen = 0L;
            Task? wakeUp = null;
            while (true)
            {
                claimed = null;
                if (claimDue)
                {
                    seen = signal.Commits;
                    wakeUp = null;
                    var rows = await ClaimAsync(db, inFlight, cancellationToken);
                    full = rows.Count == _options.BatchSize;
                    if (rows.Count > 0)
                        claimed = Publish(rows, inFlight, cancellationToken);
                }
                if (inFlight is not null)
                {
                    var done = inFlight;
                    inFlight = null;
                    await MarkAsync(db, done);
                }
                inFlight = claimed;
                claimed = null;

                if (_failures > 0)
                    LogRecovered(logger, _failures);
                _failures = 0;
                state.Succeeded();
                if (clock.GetUtcNow() >= _nextPrune)
                {
                    await PruneAsync(db, cancellationToken);
                    _nextPrune = clock.GetUtcNow() + _options.PruneInterval;
                }

                if (full)
                {
                    claimDue = true;
                    continue;
                }
                // One wait across loops: a second reader of the signal could take the wake-up of the first.
                wakeUp ??= signal.WaitAsync(seen, _options.PollInterval, cancellationToken);
                if (inFlight is null)
                    await wakeUp;
                else
                    await Task.WhenAny(wakeUp, inFlight.Publishing);
                // The confirms came first: mark the batch, and claim only once rows are committed.
                claimDue = wakeUp.IsCompleted;
                if (wakeUp.IsCanceled)
                    cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch (Exception)
        {
            // What the broker confirmed (or returned) is recorded even when stopping or failing.
            foreach (var batch in new[] { inFlight, claimed })
            {
                if (batch is null)
                    continue;
                try
                {
                    await MarkAsync(db, batch);
                }
                catch (Exception)
                {
                    // The first failure is the one reported; this batch's unconfirmed rows are published again later.
                }
            }
            throw;
        }
    }

    /// <summary>
    /// Rows being published: per key, whether all of its rows were confirmed; and what the whole batch
    /// came to (which does not throw: it reports what failed).
    /// </summary>
    private sealed record Batch(
        List<OutboxMessage> Rows,
        Dictionary<string, Task<bool>> Keys,
        Task<(List<long> Sent, List<(OutboxMessage Row, string Reason)> Deferred, Exception? Failure)> Publishing);

    /// <summary>
    /// Waits for <paramref name="batch"/>'s confirms and records them: the confirmed rows sent in one
    /// statement, the returned or unreadable ones deferred in another. Throws if a publish failed.
    /// </summary>
    private async Task MarkAsync(TDb db, Batch batch)
    {
        var (sent, deferred, failure) = await batch.Publishing;
        var now = clock.GetUtcNow();
        if (sent.Count > 0)
        {
            await db.Set<OutboxMessage>().Where(m => sent.Contains(m.Id))
                .ExecuteUpdateAsync(set => set.SetProperty(m => m.SentAt, now), CancellationToken.None);
        }
        state.Published(sent);
        if (deferred.Count > 0)
            await DeferAsync(db, deferred, now);
        if (failure is not null)
            throw new OutboxPublishException($"Published {sent.Count} of {batch.Rows.Count} outbox messages.", failure);
    }

    /// <summary>
    /// Records the rows that were not published (returned, or unreadable here) in one statement: one
    /// attempt more, when to try again (the relay's backoff for that attempt), and why.
    /// </summary>
    private async Task DeferAsync(TDb db, List<(OutboxMessage Row, string Reason)> deferred, DateTimeOffset now)
    {
        var ids = new long[deferred.Count];
        var nextAttempts = new DateTimeOffset[deferred.Count];
        var errors = new string[deferred.Count];
        for (var i = 0; i < deferred.Count; i++)
        {
            var (row, reason) = deferred[i];
            ids[i] = row.Id;
            nextAttempts[i] = now + Backoff(row.Attempts + 1);
            errors[i] = reason.Length > 1000 ? reason[..1000] : reason;
            LogDeferred(logger, row.Id, row.MessageType, row.Attempts + 1, reason);
            state.Deferred(row.Id, row.Attempts + 1, errors[i]);
        }
        await db.Database.ExecuteSqlAsync($"""
            UPDATE outbox_messages m
            SET attempts = m.attempts + 1, next_attempt_at = d.next_attempt_at, last_error = d.last_error
            FROM unnest({ids}, {nextAttempts}, {errors}) AS d(id, next_attempt_at, last_error)
            WHERE m.id = d.id
            """, CancellationToken.None);
    }

    /// <summary>
    /// The first unsent rows, in id order (the relay holds the outbox's lock, so no other relay claims
    /// at the same time), leaving out the batch in flight and the keys that have a returned row
    /// waiting for its next attempt: their later rows must not overtake it.
    /// <para>
    /// The waiting keys are read once, from their own partial index, before the unsent rows are
    /// walked. Written as a correlated NOT EXISTS instead, the planner (with statistics a few seconds
    /// old, as they always are under load) scanned every unsent row once per claimed row: 4 s per
    /// claim with 12,000 rows waiting, a relay that fell further behind the more it had to do.
    /// </para>
    /// </summary>
    private Task<List<OutboxMessage>> ClaimAsync(TDb db, Batch? inFlight, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var batchSize = _options.BatchSize;
        var inFlightIds = inFlight?.Rows.Select(m => m.Id).ToArray() ?? [];
        return db.Set<OutboxMessage>().FromSql($"""
            WITH waiting AS MATERIALIZED (
                SELECT w.ordering_key, min(w.id) AS first_id FROM outbox_messages w
                WHERE w.sent_at IS NULL AND w.next_attempt_at IS NOT NULL AND w.next_attempt_at > {now}
                GROUP BY w.ordering_key)
            SELECT m.* FROM outbox_messages m
            WHERE m.sent_at IS NULL
              AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= {now})
              AND NOT EXISTS (SELECT 1 FROM waiting w WHERE w.ordering_key = m.ordering_key AND w.first_id < m.id)
              AND m.id <> ALL({inFlightIds})
            ORDER BY m.id
            LIMIT {batchSize}
            """).AsNoTracking().ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Starts publishing <paramref name="rows"/>: each key's rows one after another (so the broker
    /// receives them in order), different keys side by side, and a key that is also in
    /// <paramref name="previous"/> only once its rows there are confirmed. A key stops at its first
    /// failure or deferred row (there or here); its later rows stay unsent and wait.
    /// Deferred: returned by the broker, or unreadable here; each with why.
    /// </summary>
    private Batch Publish(List<OutboxMessage> rows, Batch? previous, CancellationToken cancellationToken)
    {
        var sent = new ConcurrentBag<long>();
        var deferred = new ConcurrentBag<(OutboxMessage, string)>();
        var failures = new ConcurrentQueue<Exception>();
        var keys = new Dictionary<string, Task<bool>>();
        foreach (var key in rows.GroupBy(m => m.OrderingKey ?? $"#{m.Id}"))
            keys[key.Key] = PublishKeyAsync([.. key], previous?.Keys.GetValueOrDefault(key.Key));
        return new Batch(rows, keys, Outcome());

        // True when all of the key's rows were confirmed.
        async Task<bool> PublishKeyAsync(List<OutboxMessage> keyRows, Task<bool>? before)
        {
            if (before is not null && !await before)
                return false;
            foreach (var message in keyRows)
            {
                try
                {
                    await PublishAsync(message, cancellationToken);
                    sent.Add(message.Id);
                }
                catch (MessageReturnedException)
                {
                    deferred.Add((message, "Returned by the broker: no queue is bound for this event yet."));
                    return false;
                }
                catch (UnreadableOutboxMessageException e)
                {
                    deferred.Add((message, e.Message));
                    return false;
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                    return false;
                }
            }
            return true;
        }

        async Task<(List<long>, List<(OutboxMessage, string)>, Exception?)> Outcome()
        {
            await Task.WhenAll(keys.Values);
            return ([.. sent], [.. deferred], failures.IsEmpty ? null : failures.Count == 1 ? failures.Single() : new AggregateException(failures));
        }
    }

    private async Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        object body;
        Type type;
        try
        {
            type = MessageTypes.GetOrAdd(message.MessageType, name => Type.GetType(name, throwOnError: true)!);
            body = JsonSerializer.Deserialize(message.Body, type, Outbox.Json)
                ?? throw new JsonException("The body is empty.");
        }
        catch (Exception e) when (e is TypeLoadException or FileNotFoundException or FileLoadException or JsonException or NotSupportedException)
        {
            throw new UnreadableOutboxMessageException($"Unreadable here: {e.Message}", e);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        await bus.Publish(body, type, context =>
        {
            context.MessageId = message.MessageId;
            // Returned, not dropped, when no queue is bound: see the class summary.
            if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
                rabbit.Mandatory = true;
            if (message.CorrelationId is { } correlationId)
            {
                context.Headers.Set(RequestIdMiddleware.HeaderName, correlationId);
                if (Guid.TryParse(correlationId, out var correlationGuid))
                    context.CorrelationId = correlationGuid;
            }
        }, timeout.Token);
    }

    private async Task PruneAsync(TDb db, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - _options.Retention;
        // In bounded deletes, so no statement holds locks on millions of rows or runs for long.
        int pruned, total = 0;
        do
        {
            pruned = await db.Set<OutboxMessage>().Where(m => m.SentAt != null && m.SentAt < cutoff).OrderBy(m => m.SentAt)
                .Take(_options.PruneBatchSize).ExecuteDeleteAsync(cancellationToken);
            total += pruned;
        }
        while (pruned == _options.PruneBatchSize);
        if (total > 0)
            LogPruned(logger, total, cutoff);
    }

    /// <summary>Doubles from RetryMinDelay up to RetryMaxDelay, with up to a fifth of jitter so that instances spread out.</summary>
    private TimeSpan Backoff(int failures)
    {
        var exponential = _options.RetryMinDelay * Math.Pow(2, Math.Min(failures - 1, 30));
        var capped = exponential < _options.RetryMaxDelay ? exponential : _options.RetryMaxDelay;
        return capped * (1 - (Random.Shared.NextDouble() * 0.2));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay round failed ({Failures} in a row); retrying in {Delay}")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception, int failures, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox relay publishes again after {Failures} failed round(s)")]
    private static partial void LogRecovered(ILogger logger, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {Id} ({Type}) was not published (attempt {Attempts}): {Reason}; it and its key's later messages wait")]
    private static partial void LogDeferred(ILogger logger, long id, string type, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} outbox messages sent before {Cutoff}")]
    private static partial void LogPruned(ILogger logger, int count, DateTimeOffset cutoff);
}
