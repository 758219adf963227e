using System.ComponentModel.DataAnnotations;

namespace Store.Items.Catalog;

/// <summary>Settings of the <c>Items:Cache</c> section: how much the item cache keeps, and for how long.</summary>
public sealed class ItemCacheOptions
{
    public const string Section = "Items:Cache";

    /// <summary>The most items kept; beyond it misses are served but not kept.</summary>
    [Range(0, 10_000_000)]
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>How long an entry is served before it is read from the database again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromSeconds(5);
}
