using Store.Items.Data;

namespace Store.Items.Orders;

/// <summary>What a purchase came to.</summary>
public abstract record PurchaseOutcome
{
    public sealed record Placed(Order Order, bool Replayed) : PurchaseOutcome;

    public sealed record ItemMissing : PurchaseOutcome;

    public sealed record NotEnoughStock(int Available) : PurchaseOutcome;

    /// <summary>The Idempotency-Key was first used for a different request.</summary>
    public sealed record KeyReused : PurchaseOutcome;
}
