namespace Store.Items.Data;

public sealed class Item
{
    /// <summary>The outbox ordering key of an item's events ("item:5"): they reach consumers in commit order.</summary>
    public static string EventKey(int id) => EventKeyPrefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What <see cref="EventKey"/> puts before the id (for a statement that makes the key from an id it assigns).</summary>
    public const string EventKeyPrefix = "item:";

    public int Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public decimal Price { get; set; }
    public decimal? Tax { get; set; }
    public List<string> Tags { get; set; } = [];
    public int Stock { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
