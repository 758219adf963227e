using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Store.Messaging;
using Store.Notifications.Data;
using Store.ServiceDefaults;

namespace Store.Notifications.Delivery;

/// <summary>
/// Records and sends the notifications of the events being consumed at the same time
/// (<see cref="Batcher{TItem}"/>): one statement claims a batch, and the outcomes of the sends are
/// recorded in batches too.
/// <para>
/// (1) One statement inserts each event's row (skipped when the user opted out or has no address,
/// else <c>sending</c>, claimed by this process) and claims the rows of earlier attempts that are
/// due again (pending after a failed send, failed and replayed from the _error queue), so a
/// redelivered event never makes a second row. (2) The claimed e-mails are sent, at most
/// <c>Smtp:MaxConcurrentSends</c> at once to an SMTP server. (3) Each outcome (sent with sent_at, or
/// the error: pending while retries follow, failed after the last) is recorded as soon as its send
/// ends, in one statement with the outcomes that end meanwhile; a send's slot is free again only
/// once its outcome is recorded, so at most MaxConcurrentSends e-mails are ever accepted by the
/// SMTP server and not yet recorded as sent, however large the batch. E-mails written to the log
/// (no Smtp:Host) reach no one, so they take no slot: a batch's are written and recorded together.
/// </para>
/// <para>
/// A row another consumer is sending (claimed, not yet recorded) is left to it: a copy of its event
/// delivered meanwhile is acknowledged without a send. It is taken over when that claim cannot be
/// alive any more: the broker redelivered the message (the consumer that had it is gone), the claim
/// is this process's own from an attempt that has ended, or it is older than twice Smtp:Timeout.
/// The window that remains: the SMTP server accepted an e-mail but the process died before "sent"
/// was recorded; the redelivered event sends it again, with the same Message-ID (the event id), so
/// a mail system that de-duplicates on it drops the copy.
/// </para>
/// </summary>
public sealed partial class NotificationDispatcher : IDisposable
{
    /// <summary>The most notifications one batch records (the queue's prefetch bounds what waits anyway).</summary>
    public const int MaxBatchSize = 64;

    /// <summary>This process, as the owner of the rows it claims.</summary>
    private static readonly Guid Instance = Guid.NewGuid();

    private readonly IServiceScopeFactory _scopes;
    private readonly EmailSender _sender;
    private readonly SmtpOptions _smtp;
    private readonly TimeProvider _clock;
    private readonly ILogger<NotificationDispatcher> _logger;
    private readonly Batcher<NotificationRequest> _batcher;
    private readonly Batcher<Outcome> _recorder;
    // Null when e-mails go to the log.
    private readonly SemaphoreSlim? _sends;
    // Events whose e-mail this process is sending right now: a claim of its own not in here is from an attempt that ended.
    private readonly ConcurrentDictionary<Guid, byte> _sending = new();

    public NotificationDispatcher(
        IServiceScopeFactory scopes, EmailSender sender, IOptions<SmtpOptions> smtp, TimeProvider clock, ILogger<NotificationDispatcher> logger)
    {
        _scopes = scopes;
        _sender = sender;
        _smtp = smtp.Value;
        _clock = clock;
        _logger = logger;
        _sends = _smtp.WritesToLog ? null : new SemaphoreSlim(_smtp.MaxConcurrentSends);
        _batcher = new Batcher<NotificationRequest>("notifications", HandleAsync, MaxBatchSize);
        _recorder = new Batcher<Outcome>("notification-outcomes", RecordAsync, MaxBatchSize);
    }

    /// <summary>Completes once the event's notification is recorded and, if it is owed, sent; throws when the send failed.</summary>
    public Task DispatchAsync(NotificationRequest request, CancellationToken cancellationToken) =>
        _batcher.HandleAsync(request, cancellationToken);

    private async Task<IReadOnlyList<Exception?>> HandleAsync(IReadOnlyList<NotificationRequest> requests, CancellationToken cancellationToken)
    {
        // Two copies of one event in a batch are one notification.
        var events = requests.GroupBy(r => r.EventId)
            .Select(copies => copies.First() with
            {
                Redelivered = copies.Any(c => c.Redelivered),
                LastAttempt = copies.Any(c => c.LastAttempt),
            })
            .ToList();

        List<ClaimedNotification> claimed;
        await using (var scope = _scopes.CreateAsyncScope())
            claimed = await ClaimAsync(scope.ServiceProvider.GetRequiredService<NotificationsDb>(), events, cancellationToken);
        if (claimed.Count == 0)
            return [];

        foreach (var row in claimed)
            _sending[row.EventId] = 0;
        try
        {
            var lastAttempt = events.Where(e => e.LastAttempt).Select(e => e.EventId).ToHashSet();
            var failures = await Task.WhenAll(claimed.Select(row => SendAsync(row, lastAttempt.Contains(row.EventId))));
            var failed = claimed.Zip(failures).Where(f => f.Second is not null).ToDictionary(f => f.First.EventId, f => f.Second);
            return failed.Count == 0 ? [] : [.. requests.Select(r => failed.GetValueOrDefault(r.EventId))];
        }
        finally
        {
            foreach (var row in claimed)
                _sending.TryRemove(row.EventId, out _);
        }
    }

    /// <summary>Step 1: each event's row, inserted or claimed again; returns the rows this batch is to send.</summary>
    private async Task<List<ClaimedNotification>> ClaimAsync(NotificationsDb db, List<NotificationRequest> events, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNowForDatabase();
        var stale = now - (2 * _smtp.Timeout);
        var eventIds = events.Select(e => e.EventId).ToArray();
        var userIds = events.Select(e => e.UserId).ToArray();
        var recipients = events.Select(e => e.Recipient).ToArray();
        var subjects = events.Select(e => e.Subject).ToArray();
        var bodies = events.Select(e => e.Body).ToArray();
        var correlationIds = events.Select(e => e.CorrelationId).ToArray();
        var redelivered = events.Select(e => e.Redelivered).ToArray();
        var endedHere = events.Select(e => !_sending.ContainsKey(e.EventId)).ToArray();
        return await db.Database.SqlQuery<ClaimedNotification>($"""
            WITH input AS (
                SELECT * FROM unnest({eventIds}, {userIds}, {recipients}, {subjects}, {bodies}, {correlationIds}, {redelivered}, {endedHere})
                    AS i(event_id, user_id, recipient, subject, body, correlation_id, redelivered, ended_here)),
            inserted AS (
                INSERT INTO notifications (event_id, user_id, channel, recipient, subject, body, status, attempts,
                                           correlation_id, created_at, claimed_at, claimed_by)
                SELECT i.event_id, i.user_id, {Notification.Email}, i.recipient, i.subject, i.body,
                       CASE WHEN wants THEN {Notification.Sending} ELSE {Notification.Skipped} END,
                       CASE WHEN wants THEN 1 ELSE 0 END,
                       i.correlation_id, {now}, CASE WHEN wants THEN {now} END, CASE WHEN wants THEN {Instance} END
                FROM input i
                LEFT JOIN user_preferences p ON p.user_id = i.user_id
                CROSS JOIN LATERAL (SELECT coalesce(p.email_notifications, true) AND coalesce(i.recipient, '') <> '' AS wants) w
                ON CONFLICT (event_id) DO NOTHING
                RETURNING id, event_id, recipient, subject, body, status, attempts),
            reclaimed AS (
                UPDATE notifications n
                SET status = {Notification.Sending}, attempts = n.attempts + 1, claimed_at = {now}, claimed_by = {Instance}
                FROM input i
                WHERE n.event_id = i.event_id
                  AND (n.status IN ({Notification.Pending}, {Notification.Failed})
                       OR (n.status = {Notification.Sending}
                           AND (i.redelivered OR n.claimed_at < {stale} OR (n.claimed_by = {Instance} AND i.ended_here))))
                RETURNING n.id, n.event_id, n.recipient, n.subject, n.body, n.status, n.attempts)
            SELECT id, event_id, recipient, subject, body, attempts
            FROM inserted WHERE status = {Notification.Sending}
            UNION ALL
            SELECT id, event_id, recipient, subject, body, attempts FROM reclaimed
            """).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Steps 2 and 3 for one e-mail: returns its failure (a failed send, or its outcome not recorded)
    /// rather than throwing, so the other sends of the batch go on.
    /// </summary>
    private async Task<Exception?> SendAsync(ClaimedNotification row, bool lastAttempt)
    {
        if (_sends is not null)
            await _sends.WaitAsync();
        try
        {
            Outcome outcome;
            try
            {
                // Not a consumer's token: once the server has the e-mail, "sent" must still be recorded.
                await _sender.SendAsync(new Email(row.EventId, row.Recipient!, row.Subject, row.Body), CancellationToken.None);
                outcome = new Outcome(row.Id, Notification.Sent, _clock.GetUtcNowForDatabase(), null);
            }
            catch (Exception e)
            {
                var error = e.GetBaseException().Message;
                LogSendFailed(_logger, e, row.EventId, row.Attempts, lastAttempt);
                outcome = new Outcome(row.Id, lastAttempt ? Notification.Failed : Notification.Pending, null, error.Length > 1000 ? error[..1000] : error);
                await _recorder.HandleAsync(outcome, CancellationToken.None);
                return new EmailDeliveryException($"Sending the e-mail of event {row.EventId} failed (attempt {row.Attempts}).", e);
            }
            await _recorder.HandleAsync(outcome, CancellationToken.None);
            return null;
        }
        catch (Exception e)
        {
            // Not recorded: the message is retried, and its row (this process's ended claim) is taken over then.
            return e;
        }
        finally
        {
            _sends?.Release();
        }
    }

    /// <summary>Step 3: the outcomes of the sends that ended together, in one statement.</summary>
    private async Task<IReadOnlyList<Exception?>> RecordAsync(IReadOnlyList<Outcome> outcomes, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationsDb>();
        var ids = outcomes.Select(o => o.Id).ToArray();
        var statuses = outcomes.Select(o => o.Status).ToArray();
        var sentAt = outcomes.Select(o => o.SentAt).ToArray();
        var errors = outcomes.Select(o => o.Error).ToArray();
        await db.Database.ExecuteSqlAsync($"""
            UPDATE notifications n
            SET status = o.status, sent_at = o.sent_at, last_error = o.last_error, claimed_at = NULL, claimed_by = NULL
            FROM unnest({ids}, {statuses}, {sentAt}, {errors}) AS o(id, status, sent_at, last_error)
            WHERE n.id = o.id
            """, cancellationToken);
        return [];
    }

    public void Dispose() => _sends?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "E-mail of event {EventId} failed on attempt {Attempts} (last attempt: {LastAttempt})")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, Guid eventId, int attempts, bool lastAttempt);

    private sealed record ClaimedNotification(long Id, Guid EventId, string? Recipient, string Subject, string Body, int Attempts);

    private sealed record Outcome(long Id, string Status, DateTimeOffset? SentAt, string? Error);
}
