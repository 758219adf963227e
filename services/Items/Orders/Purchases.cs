using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Store.Contracts;
using Store.Items.Data;
using Store.Messaging;
using Store.ServiceDefaults;

namespace Store.Items.Orders;

/// <summary>
/// Places purchases. A purchase is one SQL statement, committed on its own: it takes the stock with a
/// conditional UPDATE (the row lock serializes concurrent buyers, and the condition is checked again
/// after the wait, so stock never goes below zero), inserts the order from the row it updated, and
/// inserts the order's OrderPlaced event into the outbox, all in one round trip and one commit; the
/// row lock is held for that statement only. The event is serialized here, and the statement adds
/// what only the database knows (the order id, the item's name and price) to its body.
/// <para>
/// Purchases without an Idempotency-Key that arrive at the same time share that statement
/// (<see cref="Batcher{TItem, TResult}"/>): one round trip and one commit for the batch. It locks
/// the batch's items in id order (so two batches never wait for each other in a cycle) and places
/// the purchases of every item whose stock covers all of the batch's purchases of it, in the order
/// they arrived; a purchase it does not place (its item is missing, or the batch wants more of the
/// item than is left) is then tried alone, which places it or says why not. A batch whose statement
/// failed in a way that may have committed (the connection broke) is not tried again: each of its
/// purchases fails, as a lone purchase would.
/// </para>
/// <para>
/// With an Idempotency-Key the purchase goes alone, and its statement also inserts the key with the
/// answer. A second request with the key waits on the first one's key until that commits, then fails
/// on the key's primary key, which rolls its whole statement back (no stock taken, no order): it
/// replays the first answer instead. A purchase that is refused (409, 404) costs one more statement,
/// which reads the stock as it is now (and, with a key, records that answer for the key).
/// </para>
/// </summary>
public sealed class Purchases
{
    /// <summary>The most purchases one statement places (the requests in flight bound what waits anyway).</summary>
    public const int MaxBatchSize = 64;

    private const string IdempotencyKeyConstraint = "pk_idempotent_requests";

    private readonly BatchConnections<ItemsDb> _connections;
    private readonly OutboxSignal<ItemsDb> _outbox;
    private readonly Batcher<Purchase, Order?> _batcher;

    public Purchases(BatchConnections<ItemsDb> connections, OutboxSignal<ItemsDb> outbox)
    {
        _connections = connections;
        _outbox = outbox;
        // A batch is handed out again one by one only when it is known to have taken no effect.
        _batcher = new Batcher<Purchase, Order?>("purchases", PlaceTogetherAsync, MaxBatchSize, retryAlone: HotStatements.TookNoEffect);
    }

    public static void Register(WebApplicationBuilder builder) => builder.Services.AddSingleton<Purchases>();

    public async Task<PurchaseOutcome> BuyAsync(
        ItemsDb db, CurrentUser buyer, int itemId, int quantity, string? idempotencyKey, EventOrigin origin, CancellationToken cancellationToken)
    {
        // Its order id, item name and prices are filled in by the statement.
        var placedEvent = Outbox.Row(origin.Stamp(new OrderPlaced(
            0, itemId, "", quantity, 0m, 0m, buyer.Id, buyer.Name, buyer.Email)), Item.EventKey(itemId));

        if (idempotencyKey is null)
        {
            var order = await _batcher.HandleAsync(new Purchase(buyer.Id, itemId, quantity, placedEvent, origin.OccurredAt), cancellationToken)
                ?? await PlaceAsync(db, buyer, itemId, quantity, null, null, placedEvent, origin, cancellationToken);
            return order is not null ? new PurchaseOutcome.Placed(order, Replayed: false) : await RefusalAsync(db, itemId, cancellationToken);
        }

        var fingerprint = Fingerprint(itemId, quantity);
        try
        {
            var order = await PlaceAsync(db, buyer, itemId, quantity, idempotencyKey, fingerprint, placedEvent, origin, cancellationToken);
            if (order is not null)
                return new PurchaseOutcome.Placed(order, Replayed: false);
            if (await RecordRefusalAsync(db, buyer.Id, itemId, idempotencyKey, fingerprint, origin, cancellationToken) is { } refusal)
                return refusal;
        }
        catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: IdempotencyKeyConstraint })
        {
            // The key was used before (or at the same moment, by a request that committed first).
        }
        return await ReplayAsync(db, buyer.Id, idempotencyKey, fingerprint, cancellationToken);
    }

    /// <summary>The request a key was first used for; another request with the key is refused.</summary>
    private static string Fingerprint(int itemId, int quantity) => $"item={itemId};quantity={quantity}";

    /// <summary>A purchase waiting for its batch: the buyer, what and how many, and its event.</summary>
    private sealed record Purchase(int UserId, int ItemId, int Quantity, OutboxMessage Event, DateTimeOffset At);

    /// <summary>
    /// The statement of a batch of purchases (arrays, one element per purchase, in the order they
    /// arrived); it returns the position (from 1) and order of each purchase it placed.
    /// </summary>
    private const string PlaceTogetherSql = """
        WITH wanted AS (
            SELECT * FROM unnest($1::int[], $2::int[], $3::int[], $4::timestamptz[], $5::uuid[], $6::text[], $7::text[], $8::text[])
                WITH ORDINALITY AS w(user_id, item_id, quantity, created_at, message_id, body, ordering_key, correlation_id, position)),
        locked AS MATERIALIZED (
            SELECT id, stock FROM items WHERE id IN (SELECT item_id FROM wanted) ORDER BY id FOR NO KEY UPDATE),
        granted AS MATERIALIZED (
            SELECT w.*, nextval(pg_get_serial_sequence('orders', 'id')) AS order_id
            FROM (SELECT *, sum(quantity) OVER (PARTITION BY item_id) AS demand FROM wanted) w
            JOIN locked l ON l.id = w.item_id
            WHERE l.stock >= w.demand
            ORDER BY w.position),
        taken AS (
            UPDATE items SET stock = items.stock - g.quantity
            FROM (SELECT item_id, sum(quantity) AS quantity FROM granted GROUP BY item_id) g
            WHERE items.id = g.item_id
            RETURNING items.id, items.name, items.price + coalesce(items.tax, 0) AS unit_price),
        placed AS (
            INSERT INTO orders (id, user_id, item_id, item_name, quantity, unit_price, total, status, created_at)
            SELECT g.order_id, g.user_id, g.item_id, t.name, g.quantity, t.unit_price, t.unit_price * g.quantity, $9, g.created_at
            FROM granted g JOIN taken t ON t.id = g.item_id
            ORDER BY g.position
            RETURNING id, item_name, unit_price, total),
        announced AS (
            INSERT INTO outbox_messages (message_id, message_type, body, ordering_key, correlation_id, created_at)
            SELECT g.message_id, $10,
                   g.body::jsonb || jsonb_build_object('order_id', p.id, 'item_name', p.item_name, 'unit_price', p.unit_price, 'total', p.total),
                   g.ordering_key, g.correlation_id, g.created_at
            FROM granted g JOIN placed p ON p.id = g.order_id
            ORDER BY g.position)
        SELECT g.position, p.id, p.item_name, p.unit_price, p.total
        FROM granted g JOIN placed p ON p.id = g.order_id
        """;

    /// <summary>Places a batch of purchases in one statement; null for each one it did not place.</summary>
    private async Task<IReadOnlyList<Order?>> PlaceTogetherAsync(IReadOnlyList<Purchase> purchases, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        var placed = await HotStatements.QueryAsync(connection, _outbox, PlaceTogetherSql,
            [
                HotStatements.Value(purchases.Select(p => p.UserId).ToArray()),
                HotStatements.Value(purchases.Select(p => p.ItemId).ToArray()),
                HotStatements.Value(purchases.Select(p => p.Quantity).ToArray()),
                HotStatements.Value(purchases.Select(p => p.At).ToArray()),
                HotStatements.Value(purchases.Select(p => p.Event.MessageId).ToArray()),
                HotStatements.Value(purchases.Select(p => p.Event.Body).ToArray()),
                HotStatements.Value(purchases.Select(p => p.Event.OrderingKey).ToArray()),
                HotStatements.Value(purchases.Select(p => p.Event.CorrelationId).ToArray()),
                HotStatements.Value(Order.Placed),
                HotStatements.Value(purchases[0].Event.MessageType),
            ],
            reader =>
            {
                var position = (int)reader.GetInt64(0) - 1;
                var purchase = purchases[position];
                return (Position: position, Order: new Order
                {
                    Id = reader.GetInt32(1),
                    UserId = purchase.UserId,
                    ItemId = purchase.ItemId,
                    ItemName = reader.GetString(2),
                    Quantity = purchase.Quantity,
                    UnitPrice = reader.GetDecimal(3),
                    Total = reader.GetDecimal(4),
                    Status = Order.Placed,
                    CreatedAt = purchase.At,
                });
            },
            cancellationToken);
        var orders = new Order?[purchases.Count];
        foreach (var (position, order) in placed)
            orders[position] = order;
        return orders;
    }

    /// <summary>The statement of a purchase alone (<see cref="HotStatements"/>); with a key ($11, else null), it also records the key with the order.</summary>
    private const string PlaceSql = """
        WITH taken AS (
            UPDATE items SET stock = stock - $3
            WHERE id = $2 AND stock >= $3
            RETURNING id, name, price + coalesce(tax, 0) AS unit_price),
        placed AS (
            INSERT INTO orders (user_id, item_id, item_name, quantity, unit_price, total, status, created_at)
            SELECT $1, id, name, $3, unit_price, unit_price * $3, $4, $5
            FROM taken
            RETURNING id, item_name, unit_price, total),
        announced AS (
            INSERT INTO outbox_messages (message_id, message_type, body, ordering_key, correlation_id, created_at)
            SELECT $6, $7, $8::jsonb || jsonb_build_object('order_id', id, 'item_name', item_name, 'unit_price', unit_price, 'total', total),
                   $9, $10, $5
            FROM placed),
        claimed AS (
            INSERT INTO idempotent_requests (user_id, key, fingerprint, status_code, order_id, created_at)
            SELECT $1, $11, $12, $13, id, $5
            FROM placed
            WHERE $11::text IS NOT NULL)
        SELECT id, item_name, unit_price, total FROM placed
        """;

    private Task<Order?> PlaceAsync(
        ItemsDb db, CurrentUser buyer, int itemId, int quantity, string? key, string? fingerprint,
        OutboxMessage placedEvent, EventOrigin origin, CancellationToken cancellationToken) =>
        HotStatements.QueryFirstAsync(db, _outbox, PlaceSql,
            [
                HotStatements.Value(buyer.Id),
                HotStatements.Value(itemId),
                HotStatements.Value(quantity),
                HotStatements.Value(Order.Placed),
                HotStatements.Value(origin.OccurredAt),
                HotStatements.Value(placedEvent.MessageId),
                HotStatements.Value(placedEvent.MessageType),
                HotStatements.Value(placedEvent.Body),
                HotStatements.Nullable(placedEvent.OrderingKey, NpgsqlDbType.Text),
                HotStatements.Nullable(placedEvent.CorrelationId, NpgsqlDbType.Text),
                HotStatements.Nullable(key, NpgsqlDbType.Text),
                HotStatements.Nullable(fingerprint, NpgsqlDbType.Text),
                HotStatements.Value(StatusCodes.Status201Created),
            ],
            reader => new Order
            {
                Id = reader.GetInt32(0),
                UserId = buyer.Id,
                ItemId = itemId,
                ItemName = reader.GetString(1),
                Quantity = quantity,
                UnitPrice = reader.GetDecimal(2),
                Total = reader.GetDecimal(3),
                Status = Order.Placed,
                CreatedAt = origin.OccurredAt,
            },
            cancellationToken);

    /// <summary>Why a purchase took nothing: the stock as it is now is too little, or there is no such item.</summary>
    private static async Task<PurchaseOutcome> RefusalAsync(ItemsDb db, int itemId, CancellationToken cancellationToken)
    {
        var available = await db.Items.Where(i => i.Id == itemId).Select(i => (int?)i.Stock).SingleOrDefaultAsync(cancellationToken);
        return available is { } stock ? new PurchaseOutcome.NotEnoughStock(stock) : new PurchaseOutcome.ItemMissing();
    }

    /// <summary>
    /// Records the refusal (409 with the stock as it is now, or 404) as the key's answer; null when the
    /// key was taken meanwhile by a request that committed first (its answer is replayed).
    /// </summary>
    private static async Task<PurchaseOutcome?> RecordRefusalAsync(
        ItemsDb db, int userId, int itemId, string key, string fingerprint, EventOrigin origin, CancellationToken cancellationToken)
    {
        var recorded = await db.IdempotentRequests.FromSql($"""
            INSERT INTO idempotent_requests (user_id, key, fingerprint, status_code, available, created_at)
            SELECT {userId}, {key}, {fingerprint},
                   CASE WHEN item.stock IS NULL THEN {StatusCodes.Status404NotFound} ELSE {StatusCodes.Status409Conflict} END,
                   item.stock, {origin.OccurredAt}
            FROM (SELECT (SELECT stock FROM items WHERE id = {itemId}) AS stock) AS item
            ON CONFLICT DO NOTHING
            RETURNING *
            """).AsNoTracking().ToListAsync(cancellationToken);
        return recorded.SingleOrDefault() is { } answer ? Refusal(answer) : null;
    }

    /// <summary>The answer given the first time the key was used, if this is the same request.</summary>
    private static async Task<PurchaseOutcome> ReplayAsync(
        ItemsDb db, int userId, string key, string fingerprint, CancellationToken cancellationToken)
    {
        var first = await db.IdempotentRequests.AsNoTracking().SingleAsync(r => r.UserId == userId && r.Key == key, cancellationToken);
        if (first.Fingerprint != fingerprint)
            return new PurchaseOutcome.KeyReused();
        return first.StatusCode == StatusCodes.Status201Created
            ? new PurchaseOutcome.Placed(await db.Orders.AsNoTracking().SingleAsync(o => o.Id == first.OrderId, cancellationToken), Replayed: true)
            : Refusal(first);
    }

    private static PurchaseOutcome Refusal(IdempotentRequest answer) =>
        answer.StatusCode == StatusCodes.Status409Conflict ? new PurchaseOutcome.NotEnoughStock(answer.Available ?? 0) : new PurchaseOutcome.ItemMissing();
}
