using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Store.Contracts;
using Store.Items.Data;
using Store.Messaging;
using Store.ServiceDefaults;

namespace Store.Items.Orders;

/// <summary>The buyer, as the access token names them.</summary>
public sealed record Buyer(int Id, string Name, string? Email)
{
    public static Buyer? From(ClaimsPrincipal user) =>
        user.GetUserId() is { } id ? new Buyer(id, user.GetUserName() ?? $"user {id}", user.GetEmail()) : null;
}

/// <summary>What a purchase came to.</summary>
public abstract record PurchaseOutcome
{
    public sealed record Placed(Order Order, bool Replayed) : PurchaseOutcome;

    public sealed record ItemMissing : PurchaseOutcome;

    public sealed record NotEnoughStock(int Available) : PurchaseOutcome;

    /// <summary>The Idempotency-Key was first used for a different request.</summary>
    public sealed record KeyReused : PurchaseOutcome;
}

/// <summary>
/// A purchase is one transaction: claim the Idempotency-Key (if any), take the stock with one
/// conditional UPDATE (the row lock serializes concurrent buyers, and the condition is checked again
/// after the wait, so stock never goes below zero), insert the order and its OrderPlaced event,
/// record the answer for the key, commit.
/// </summary>
public static class Purchase
{
    public static async Task<PurchaseOutcome> BuyAsync(
        ItemsDb db, Buyer buyer, int itemId, int quantity, string? idempotencyKey, EventOrigin origin, CancellationToken cancellationToken)
    {
        await using var transaction = await db.BeginTransactionWithoutSavepointsAsync(cancellationToken);

        IdempotentRequest? request = null;
        if (idempotencyKey is not null)
        {
            var fingerprint = $"item={itemId};quantity={quantity}";
            // A concurrent request with the same key waits here until the first one commits, then
            // finds its row and replays its answer.
            var claimed = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO idempotent_requests (user_id, key, fingerprint, status_code, created_at)
                VALUES ({buyer.Id}, {idempotencyKey}, {fingerprint}, 0, {origin.OccurredAt})
                ON CONFLICT DO NOTHING
                """, cancellationToken);
            if (claimed == 0)
                return await ReplayAsync(db, buyer.Id, idempotencyKey, fingerprint, cancellationToken);

            request = new IdempotentRequest { UserId = buyer.Id, Key = idempotencyKey, Fingerprint = fingerprint, CreatedAt = origin.OccurredAt };
            db.IdempotentRequests.Attach(request);
        }

        var outcome = await TakeStockAndPlaceOrderAsync(db, buyer, itemId, quantity, origin, cancellationToken);

        if (request is not null)
        {
            (request.StatusCode, request.OrderId, request.Available) = outcome switch
            {
                PurchaseOutcome.Placed placed => (StatusCodes.Status201Created, placed.Order.Id, (int?)null),
                PurchaseOutcome.NotEnoughStock notEnough => (StatusCodes.Status409Conflict, (int?)null, notEnough.Available),
                _ => (StatusCodes.Status404NotFound, (int?)null, (int?)null),
            };
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }

    private static async Task<PurchaseOutcome> TakeStockAndPlaceOrderAsync(
        ItemsDb db, Buyer buyer, int itemId, int quantity, EventOrigin origin, CancellationToken cancellationToken)
    {
        var taken = await db.Database.SqlQuery<TakenItem>($"""
            UPDATE items SET stock = stock - {quantity}
            WHERE id = {itemId} AND stock >= {quantity}
            RETURNING name AS "Name", price AS "Price", tax AS "Tax"
            """).ToListAsync(cancellationToken);
        if (taken.Count == 0)
        {
            var available = await db.Items.Where(i => i.Id == itemId).Select(i => (int?)i.Stock).SingleOrDefaultAsync(cancellationToken);
            return available is { } stock ? new PurchaseOutcome.NotEnoughStock(stock) : new PurchaseOutcome.ItemMissing();
        }

        var item = taken[0];
        var unitPrice = item.Price + (item.Tax ?? 0m);
        var order = new Order
        {
            UserId = buyer.Id,
            ItemId = itemId,
            ItemName = item.Name,
            Quantity = quantity,
            UnitPrice = unitPrice,
            Total = unitPrice * quantity,
            Status = Order.Placed,
            CreatedAt = origin.OccurredAt,
        };
        db.Orders.Add(order);
        await db.SaveChangesAsync(cancellationToken);

        db.AddToOutbox(new OrderPlaced(
            origin.EventId, origin.OccurredAt, origin.CorrelationId, origin.ActorId, origin.ActorName,
            order.Id, order.ItemId, order.ItemName, order.Quantity, order.UnitPrice, order.Total,
            buyer.Id, buyer.Name, buyer.Email), Item.EventKey(itemId));
        return new PurchaseOutcome.Placed(order, Replayed: false);
    }

    /// <summary>The answer given the first time the key was used, if this is the same request.</summary>
    private static async Task<PurchaseOutcome> ReplayAsync(
        ItemsDb db, int userId, string key, string fingerprint, CancellationToken cancellationToken)
    {
        var first = await db.IdempotentRequests.AsNoTracking().SingleAsync(r => r.UserId == userId && r.Key == key, cancellationToken);
        if (first.Fingerprint != fingerprint)
            return new PurchaseOutcome.KeyReused();
        return first.StatusCode switch
        {
            StatusCodes.Status201Created => new PurchaseOutcome.Placed(
                await db.Orders.AsNoTracking().SingleAsync(o => o.Id == first.OrderId, cancellationToken), Replayed: true),
            StatusCodes.Status409Conflict => new PurchaseOutcome.NotEnoughStock(first.Available ?? 0),
            _ => new PurchaseOutcome.ItemMissing(),
        };
    }

    private sealed record TakenItem(string Name, decimal Price, decimal? Tax);
}
