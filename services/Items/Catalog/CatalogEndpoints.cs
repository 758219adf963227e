using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Store.Items.Data;
using Store.Messaging;
using Store.ServiceDefaults;

namespace Store.Items.Catalog;

/// <summary>
/// /api/items: anyone reads the catalog; admins change it. Every change commits together with its
/// event (ItemCreated, ItemUpdated, ItemDeleted) in the outbox.
/// </summary>
public static class CatalogEndpoints
{
    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder app)
    {
        var items = app.MapGroup("/api/items").WithTag("Items", "The catalog: anyone reads it, admins change it.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        items.MapGet("/", ListItems).WithName("ListItems").WithSummary("List items, paged and filtered; X-Total-Count holds the number of matches.")
            .Produces<ItemResponse[]>(StatusCodes.Status200OK, "application/json");
        items.MapGet("/{id:int}", GetItem).WithName("GetItem").WithSummary("Get an item.")
            .Produces<ItemResponse>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var admin = items.MapGroup("").RequireAuthorization(Roles.Admin);
        admin.MapPost("/", CreateItem).WithName("CreateItem").WithSummary("Create an item (admin).");
        admin.MapPut("/{id:int}", ReplaceItem).WithName("ReplaceItem").WithSummary("Replace an item (admin).").ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPatch("/{id:int}", PatchItem).WithName("PatchItem").WithSummary("Change the fields sent (admin).").ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapDelete("/{id:int}", DeleteItem).WithName("DeleteItem").WithSummary("Delete an item (admin).").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>Served from <see cref="ItemCache"/>: the page's JSON as cached, without a database round trip.</summary>
    public static async Task<ItemJson> ListItems(
        [AsParameters] ItemQuery query, ItemCache cache, HttpResponse response, CancellationToken cancellationToken)
    {
        var (body, total) = await cache.GetPageAsync(query, cancellationToken);
        Paging.SetTotalCount(response, total);
        return new ItemJson(body);
    }

    /// <summary>Served from <see cref="ItemCache"/>: the item's JSON as cached, without a database round trip.</summary>
    public static async Task<Results<ItemJson, ProblemHttpResult>> GetItem(int id, ItemCache cache, CancellationToken cancellationToken)
    {
        var body = await cache.GetAsync(id, cancellationToken);
        return body is null ? Problems.NotFound("Item", id) : new ItemJson(body);
    }

    /// <summary>One statement with its ItemCreated event, shared with the items created at the same time (<see cref="NewItems"/>).</summary>
    public static async Task<Created<ItemResponse>> CreateItem(
        ItemCreate body, NewItems newItems, ItemCache cache, EventOrigin origin, CancellationToken cancellationToken)
    {
        var draft = new Item { Name = body.Name, CreatedAt = origin.OccurredAt };
        Apply(draft, body, origin.OccurredAt);
        // The price and tax as stored (numeric(12,2)), so the answer reads like every later read.
        var item = await newItems.InsertAsync(draft, Outbox.Row(CatalogEvents.Created(draft, origin)), cancellationToken);
        cache.Evict(item.Id);
        return TypedResults.Created($"/api/items/{item.Id}", ItemResponse.From(item));
    }

    public static async Task<Results<Ok<ItemResponse>, ProblemHttpResult>> ReplaceItem(
        int id, ItemCreate body, ItemsDb db, ItemCache cache, EventOrigin origin, CancellationToken cancellationToken)
    {
        await using var transaction = await db.BeginTransactionWithoutSavepointsAsync(cancellationToken);
        var item = await LockAsync(db, id, cancellationToken);
        if (item is null)
            return Problems.NotFound("Item", id);

        Apply(item, body, origin.OccurredAt);
        await SaveUpdateAsync(db, item, origin, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        cache.Evict(id);
        return TypedResults.Ok(ItemResponse.From(item));
    }

    public static async Task<Results<Ok<ItemResponse>, ProblemHttpResult>> PatchItem(
        int id, ItemPatch body, ItemsDb db, ItemCache cache, EventOrigin origin, CancellationToken cancellationToken)
    {
        await using var transaction = await db.BeginTransactionWithoutSavepointsAsync(cancellationToken);
        var item = await LockAsync(db, id, cancellationToken);
        if (item is null)
            return Problems.NotFound("Item", id);

        var sent = body.SentFields;
        if (sent.Contains("name")) item.Name = body.Name!;
        if (sent.Contains("description")) item.Description = body.Description;
        if (sent.Contains("price")) item.Price = body.Price!.Value;
        if (sent.Contains("tax")) item.Tax = body.Tax;
        if (sent.Contains("tags")) item.Tags = body.Tags ?? [];
        if (sent.Contains("stock")) item.Stock = body.Stock!.Value;
        item.UpdatedAt = origin.OccurredAt;
        await SaveUpdateAsync(db, item, origin, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        cache.Evict(id);
        return TypedResults.Ok(ItemResponse.From(item));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteItem(
        int id, ItemsDb db, ItemCache cache, EventOrigin origin, CancellationToken cancellationToken)
    {
        await using var transaction = await db.BeginTransactionWithoutSavepointsAsync(cancellationToken);
        var deleted = await db.Database
            .SqlQuery<string>($"""DELETE FROM items WHERE id = {id} RETURNING name AS "Value" """)
            .ToListAsync(cancellationToken);
        if (deleted.Count == 0)
            return Problems.NotFound("Item", id);

        db.AddToOutbox(CatalogEvents.Deleted(id, deleted[0], origin), Item.EventKey(id));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        cache.Evict(id);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Reads the item and locks its row until the transaction ends: a concurrent purchase cannot
    /// change the stock under this update, and the item's events are queued in commit order.
    /// </summary>
    private static Task<Item?> LockAsync(ItemsDb db, int id, CancellationToken cancellationToken) =>
        db.Items.FromSql($"SELECT * FROM items WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);

    /// <summary>Saves the item with an ItemUpdated event naming the fields whose values changed.</summary>
    private static async Task SaveUpdateAsync(ItemsDb db, Item item, EventOrigin origin, CancellationToken cancellationToken)
    {
        db.ChangeTracker.DetectChanges();
        var changed = db.Entry(item).Properties
            .Where(p => p.IsModified && p.Metadata.Name != nameof(Item.UpdatedAt))
            .Select(p => p.Metadata.GetColumnName())
            .ToArray();
        db.AddToOutbox(CatalogEvents.Updated(item, changed, origin), Item.EventKey(item.Id));
        await db.SaveChangesAsync(cancellationToken);
    }

    private static void Apply(Item item, ItemCreate body, DateTimeOffset now)
    {
        item.Name = body.Name;
        item.Description = body.Description;
        item.Price = body.Price;
        item.Tax = body.Tax;
        item.Tags = body.Tags ?? [];
        item.Stock = body.Stock;
        item.UpdatedAt = now;
    }
}
