using Store.Contracts;
using Store.Items.Data;
using Store.Messaging;

namespace Store.Items.Catalog;

/// <summary>The events the catalog publishes (docs/contract.md, Events), built from the item as saved.</summary>
internal static class CatalogEvents
{
    public static ItemCreated Created(Item item, EventOrigin origin) => origin.Stamp(new ItemCreated(
        item.Id, item.Name, item.Description, item.Price, item.Tax, [.. item.Tags], item.Stock));

    public static ItemUpdated Updated(Item item, IReadOnlyList<string> changedFields, EventOrigin origin) => origin.Stamp(new ItemUpdated(
        item.Id, item.Name, item.Description, item.Price, item.Tax, [.. item.Tags], item.Stock, changedFields));

    public static ItemDeleted Deleted(int id, string name, EventOrigin origin) => origin.Stamp(new ItemDeleted(id, name));
}
