using System.Text.Json;
using Store.Items.Data;
using Store.Messaging;
using Store.ServiceDefaults;

namespace Store.Items.Catalog;

/// <summary>
/// Inserts created items. An item's creation is one statement, committed on its own: it inserts the
/// item and, from the row it inserted, the item's ItemCreated event (serialized by the caller; the
/// statement adds the id the database assigned). Items created at the same time share that statement
/// (<see cref="Batcher{TItem, TResult}"/>): one round trip and one commit for the batch. A batch
/// whose statement the server refused is tried again item by item, so an item that broke it fails
/// alone; one whose statement failed in a way that may have committed (the connection broke) is not:
/// each of its creations fails, as a lone one would.
/// </summary>
public sealed class NewItems
{
    /// <summary>The most items one statement inserts (the requests in flight bound what waits anyway).</summary>
    public const int MaxBatchSize = 64;

    private readonly BatchConnections<ItemsDb> _connections;
    private readonly OutboxSignal<ItemsDb> _outbox;
    private readonly Batcher<NewItem, Item> _batcher;

    public NewItems(BatchConnections<ItemsDb> connections, OutboxSignal<ItemsDb> outbox)
    {
        _connections = connections;
        _outbox = outbox;
        // A batch is handed out again one by one only when it is known to have taken no effect.
        _batcher = new Batcher<NewItem, Item>("new-items", InsertAsync, MaxBatchSize, retryAlone: HotStatements.TookNoEffect);
    }

    public static void Register(WebApplicationBuilder builder) => builder.Services.AddSingleton<NewItems>();

    /// <summary>Inserts <paramref name="draft"/> with its event; returns the item as saved (its id, and its price and tax as stored).</summary>
    public Task<Item> InsertAsync(Item draft, OutboxMessage created, CancellationToken cancellationToken) =>
        _batcher.HandleAsync(new NewItem(draft, created), cancellationToken);

    /// <summary>An item waiting for its batch, and its ItemCreated event.</summary>
    private sealed record NewItem(Item Draft, OutboxMessage Created);

    /// <summary>
    /// The statement (arrays, one element per item, in the order they arrived; each item's tags as a
    /// JSON array, since an array of arrays of different lengths cannot be a parameter); it returns
    /// each item's position (from 1), id, price and tax.
    /// </summary>
    private const string InsertSql = """
        WITH drafted AS MATERIALIZED (
            SELECT d.*, nextval(pg_get_serial_sequence('items', 'id'))::int AS id
            FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[], $5::text[], $6::int[], $7::timestamptz[],
                        $8::uuid[], $9::text[], $10::text[])
                WITH ORDINALITY AS d(name, description, price, tax, tags, stock, created_at, message_id, body, correlation_id, position)
            ORDER BY d.position),
        created AS (
            INSERT INTO items (id, name, description, price, tax, tags, stock, created_at, updated_at)
            SELECT id, name, description, price, tax, ARRAY(SELECT jsonb_array_elements_text(tags::jsonb)), stock, created_at, created_at
            FROM drafted
            ORDER BY position
            RETURNING id, price, tax),
        announced AS (
            INSERT INTO outbox_messages (message_id, message_type, body, ordering_key, correlation_id, created_at)
            SELECT message_id, $11, body::jsonb || jsonb_build_object('item_id', id), $12 || id, correlation_id, created_at
            FROM drafted
            ORDER BY position)
        SELECT d.position, c.id, c.price, c.tax
        FROM drafted d JOIN created c ON c.id = d.id
        """;

    private async Task<IReadOnlyList<Item>> InsertAsync(IReadOnlyList<NewItem> items, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        var inserted = await HotStatements.QueryAsync(connection, _outbox, InsertSql,
            [
                HotStatements.Value(items.Select(i => i.Draft.Name).ToArray()),
                HotStatements.Value(items.Select(i => i.Draft.Description).ToArray()),
                HotStatements.Value(items.Select(i => i.Draft.Price).ToArray()),
                HotStatements.Value(items.Select(i => i.Draft.Tax).ToArray()),
                HotStatements.Value(items.Select(i => JsonSerializer.Serialize(i.Draft.Tags)).ToArray()),
                HotStatements.Value(items.Select(i => i.Draft.Stock).ToArray()),
                HotStatements.Value(items.Select(i => i.Draft.UpdatedAt).ToArray()),
                HotStatements.Value(items.Select(i => i.Created.MessageId).ToArray()),
                HotStatements.Value(items.Select(i => i.Created.Body).ToArray()),
                HotStatements.Value(items.Select(i => i.Created.CorrelationId).ToArray()),
                HotStatements.Value(items[0].Created.MessageType),
                HotStatements.Value(Item.EventKeyPrefix),
            ],
            reader =>
            {
                var position = (int)reader.GetInt64(0) - 1;
                var draft = items[position].Draft;
                return (Position: position, Item: new Item
                {
                    Id = reader.GetInt32(1),
                    Name = draft.Name,
                    Description = draft.Description,
                    Price = reader.GetDecimal(2),
                    Tax = reader.IsDBNull(3) ? null : reader.GetDecimal(3),
                    Tags = draft.Tags,
                    Stock = draft.Stock,
                    CreatedAt = draft.CreatedAt,
                    UpdatedAt = draft.UpdatedAt,
                });
            },
            cancellationToken);
        if (inserted.Count != items.Count)
            throw new InvalidOperationException($"The items' INSERT returned {inserted.Count} rows for {items.Count} items.");
        var saved = new Item[items.Count];
        foreach (var (position, item) in inserted)
            saved[position] = item;
        return saved;
    }
}
