namespace Store.Items.Data;

/// <summary>
/// A purchase. It keeps its own copy of what was bought (name, unit price) and no foreign key to the
/// item: an order is a record of the past, and deleting or repricing the item later does not change
/// it (docs/decisions/0008-orders-keep-a-snapshot.md).
/// </summary>
public sealed class Order
{
    public const string Placed = "placed";

    public int Id { get; set; }
    public int UserId { get; set; }
    public int ItemId { get; set; }
    public required string ItemName { get; set; }
    public int Quantity { get; set; }

    /// <summary>What one unit cost the buyer: the item's price plus its tax, when it has one.</summary>
    public decimal UnitPrice { get; set; }

    public decimal Total { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
