using System.ComponentModel.DataAnnotations;

namespace Store.Messaging;

/// <summary>Settings of the <c>Outbox</c> configuration section: how the relay publishes the outbox.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>How many rows one relay claim takes (and the relay then publishes and marks sent together).</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// How often the relay looks for rows when nothing woke it: a commit in this process wakes it at
    /// once, so this only bounds the delay for rows another instance committed and left behind.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one publish may wait for the broker's confirm before the relay counts as failing.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first pause after a failed round; it doubles with each failure up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryMinDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After this many attempts an event that waits (returned by the broker, or unreadable here)
    /// makes the outbox's health check degraded; it is still tried, every RetryMaxDelay.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int StuckAfterAttempts { get; set; } = 10;

    /// <summary>
    /// How long sent rows are kept (to see what was published, and when) before they are deleted.
    /// The table holds about rate × retention sent rows: a day at 1,000 events/s is 86 million; at
    /// such rates keep less (the audit log is the lasting record of every event).
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often sent rows past the retention are deleted: often, so that each time there are few.</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The most rows one delete removes; a prune runs as many as it needs.</summary>
    [Range(1, 1_000_000)]
    public int PruneBatchSize { get; set; } = 10_000;
}
