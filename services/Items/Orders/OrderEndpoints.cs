using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Store.Items.Catalog;
using Store.Items.Data;
using Store.Messaging;
using Store.ServiceDefaults;

namespace Store.Items.Orders;

/// <summary>
/// Purchases and orders: any signed-in user buys and sees their own orders; admins see everyone's.
/// A purchase commits its order and its OrderPlaced event together (Purchases.cs).
/// </summary>
public static class OrderEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxKeyLength = 200;
    // What IsAcceptableKey accepts, for the document: printable ASCII, no space.
    private const string KeyPattern = "^[!-~]+$";

    public static IEndpointRouteBuilder MapOrders(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("").WithTag("Orders", "Buying items and reading orders: a user's own, and all of them for admins.").RequireAuthorization(Roles.User)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        orders.MapPost("/api/items/{id:int}/purchase", PurchaseItem).WithName("PurchaseItem")
            .WithSummary("Buy an item: takes the stock and places an order. With an Idempotency-Key, a repeated request returns the first answer and buys nothing more.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithHeaderRules(IdempotencyKeyHeader, 1, MaxKeyLength, KeyPattern);
        orders.MapPost("/api/orders", PlaceOrder).WithName("PlaceOrder")
            .WithSummary("Place an order: the same purchase, naming the item in the body.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithHeaderRules(IdempotencyKeyHeader, 1, MaxKeyLength, KeyPattern);
        orders.MapGet("/api/orders", ListOrders).WithName("ListOrders")
            .WithSummary("The caller's orders, newest first (admins: everyone's, filter user_id); X-Total-Count holds the number of matches.")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        orders.MapGet("/api/orders/{id:int}", GetOrder).WithName("GetOrder")
            .WithSummary("One order, for its buyer or an admin (404 for anyone else's).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static Task<Results<Created<OrderResponse>, ProblemHttpResult, ValidationProblem>> PurchaseItem(
        int id, PurchaseRequest body, [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        CurrentUser buyer, HttpResponse response, ItemsDb db, Purchases purchases, ItemCache cache, EventOrigin origin,
        CancellationToken cancellationToken) =>
        BuyAsync(id, body.Quantity, idempotencyKey, buyer, response, db, purchases, cache, origin, cancellationToken);

    public static Task<Results<Created<OrderResponse>, ProblemHttpResult, ValidationProblem>> PlaceOrder(
        OrderCreate body, [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        CurrentUser buyer, HttpResponse response, ItemsDb db, Purchases purchases, ItemCache cache, EventOrigin origin,
        CancellationToken cancellationToken) =>
        BuyAsync(body.ItemId, body.Quantity, idempotencyKey, buyer, response, db, purchases, cache, origin, cancellationToken);

    public static async Task<Results<Ok<OrderResponse[]>, ProblemHttpResult>> ListOrders(
        [AsParameters] OrderQuery query, CurrentUser caller, ItemsDb db, HttpResponse response, CancellationToken cancellationToken)
    {
        var orders = db.Orders.AsNoTracking();
        if (caller.IsAdmin)
        {
            if (query.UserId is { } userId)
                orders = orders.Where(o => o.UserId == userId);
        }
        else
        {
            if (query.UserId is { } userId && userId != caller.Id)
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, detail: "Only admins may list another user's orders.");
            orders = orders.Where(o => o.UserId == caller.Id);
        }

        var page = await orders.ToPageAsync(query, m => m.OrderByDescending(o => o.Id), response, cancellationToken);
        return TypedResults.Ok(page.Select(OrderResponse.From).ToArray());
    }

    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> GetOrder(
        int id, CurrentUser caller, ItemsDb db, CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        // Someone else's order is "not found": order ids do not tell who bought what.
        if (order is null || (!caller.IsAdmin && order.UserId != caller.Id))
            return Problems.NotFound("Order", id);
        return TypedResults.Ok(OrderResponse.From(order));
    }

    private static async Task<Results<Created<OrderResponse>, ProblemHttpResult, ValidationProblem>> BuyAsync(
        int itemId, int quantity, string? idempotencyKey, CurrentUser buyer, HttpResponse response, ItemsDb db,
        Purchases purchases, ItemCache cache, EventOrigin origin, CancellationToken cancellationToken)
    {
        if (idempotencyKey is not null && !IsAcceptableKey(idempotencyKey))
            return Problems.Invalid("idempotency_key", $"must be 1 to {MaxKeyLength} printable ASCII characters");

        var outcome = await purchases.BuyAsync(db, buyer, itemId, quantity, idempotencyKey, origin, cancellationToken);
        // Committed: the next read of the item on this instance sees the new stock.
        if (outcome is PurchaseOutcome.Placed { Replayed: false })
            cache.Evict(itemId);
        switch (outcome)
        {
            case PurchaseOutcome.Placed placed:
                if (placed.Replayed)
                    response.Headers[ReplayedHeader] = "true";
                return TypedResults.Created($"/api/orders/{placed.Order.Id}", OrderResponse.From(placed.Order));
            case PurchaseOutcome.NotEnoughStock notEnough:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Not enough stock",
                    detail: $"Item {itemId}: requested {quantity}, only {notEnough.Available} available",
                    extensions: new Dictionary<string, object?>
                    {
                        ["error"] = "insufficient_stock",
                        ["requested"] = quantity,
                        ["available"] = notEnough.Available,
                    });
            case PurchaseOutcome.KeyReused:
                return Problems.Invalid("idempotency_key", "was already used for a different request");
            default:
                return Problems.NotFound("Item", itemId);
        }
    }

    private static bool IsAcceptableKey(string key) =>
        key.Length is > 0 and <= MaxKeyLength && key.All(c => c is >= '!' and <= '~');
}
