using System.Net;
using Npgsql;
using Store.Testing;

namespace Store.Items.Tests.Orders;

/// <summary>
/// A purchase changes only the item's stock, which no index covers, in a table that leaves room on
/// each page (fillfactor): PostgreSQL makes every such change a HOT update, which writes no index entry.
/// </summary>
public sealed class HotStockUpdateTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private const int Purchases = 20;

    [Fact]
    public async Task Every_purchase_updates_the_stock_without_writing_an_index_entry()
    {
        var item = await api.CreateItemAsync(new { name = "Desk lamp", price = 25m, stock = 100 });
        using var buyer = api.AsUser(ItemsApi.NewUserId());
        for (var i = 0; i < Purchases; i++)
        {
            using var response = await ItemsApi.PurchaseAsync(buyer, item.Id, 1);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        // The service's connections report their statistics when they are next idle, up to seconds later.
        var (updates, hot) = await Eventually.GetAsync(ItemUpdatesAsync, counts => counts.Updates >= Purchases,
            TimeSpan.FromSeconds(30), $"the statistics of {Purchases} updates of items");
        Assert.Equal(Purchases, updates);
        Assert.Equal(updates, hot);
    }

    private async Task<(long Updates, long Hot)> ItemUpdatesAsync()
    {
        await using var connection = new NpgsqlConnection(api.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'items'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
