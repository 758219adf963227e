using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Store.Items.Data;
using Store.ServiceDefaults;

namespace Store.Items.Orders;

/// <summary>POST /api/items/{id}/purchase: how many to buy.</summary>
public sealed class PurchaseRequest : IHasExample
{
    public static object Example => new PurchaseRequest { Quantity = 1 };

    [Range(1, 1000)]
    public int Quantity { get; init; }
}

/// <summary>POST /api/orders: the same purchase, naming the item in the body.</summary>
public sealed class OrderCreate : IHasExample
{
    public static object Example => new OrderCreate { ItemId = 1, Quantity = 1 };

    [Range(1, int.MaxValue)]
    public int ItemId { get; init; }

    [Range(1, 1000)]
    public int Quantity { get; init; }
}

/// <summary>An order; <c>unit_price</c> is what one unit cost the buyer (price plus tax), <c>total</c> is unit_price × quantity.</summary>
public sealed record OrderResponse(
    int Id,
    int ItemId,
    string ItemName,
    int Quantity,
    decimal UnitPrice,
    decimal Total,
    int UserId,
    string Status,
    DateTimeOffset CreatedAt)
{
    public static OrderResponse From(Order order) => new(
        order.Id, order.ItemId, order.ItemName, order.Quantity, order.UnitPrice, order.Total,
        order.UserId, order.Status, order.CreatedAt);
}

/// <summary>The order list's query string.</summary>
public sealed record OrderQuery : IPageQuery
{
    /// <summary>How many orders to skip (default 0).</summary>
    [FromQuery(Name = "skip"), Range(0, int.MaxValue)]
    public int? Skip { get; init; }

    /// <summary>How many orders to return, 1..100 (default 10).</summary>
    [FromQuery(Name = "limit"), Range(1, Paging.MaxLimit)]
    public int? Limit { get; init; }

    /// <summary>Admins: only this user's orders. Users may only name themselves.</summary>
    [FromQuery(Name = "user_id"), Range(1, int.MaxValue)]
    public int? UserId { get; init; }
}
