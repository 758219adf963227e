using System.ComponentModel.DataAnnotations;

namespace Store.Items.Orders;

/// <summary>Settings of the <c>Items:IdempotencyKeys</c> section: how long a purchase's key is remembered.</summary>
public sealed class IdempotencyKeyOptions
{
    public const string Section = "Items:IdempotencyKeys";

    /// <summary>How long a key answers a retry with the first answer (24 h, as payment APIs promise); after that it is a new request.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often expired keys are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The most keys one delete statement removes, so that pruning never holds many row locks or a long transaction.</summary>
    [Range(1, 100_000)]
    public int PruneBatchSize { get; set; } = 1_000;
}
