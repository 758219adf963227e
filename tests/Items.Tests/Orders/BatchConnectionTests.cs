using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Store.Items.Data;
using Store.ServiceDefaults;

namespace Store.Items.Tests.Orders;

/// <summary>
/// Batches run on connections of their own (<see cref="BatchConnections{TDb}"/>): after a burst of
/// requests has grown the context's pool, purchases still go to the one or two server processes the
/// batches use, not to each of the burst's connections in turn (Npgsql hands idle connections out in
/// turn, and each process is cold for a statement it seldom runs).
/// </summary>
public sealed class BatchConnectionTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private const int Burst = 20;

    [Fact]
    public async Task Purchases_after_a_burst_that_grew_the_context_pool_run_on_the_batches_own_connections()
    {
        var item = await api.CreateItemAsync(new { name = "After the burst", price = 3m, stock = 1_000 });

        // A burst: as many contexts with an open connection at once as requests in flight would hold.
        var scopes = Enumerable.Range(0, Burst).Select(_ => api.Services.CreateAsyncScope()).ToList();
        foreach (var scope in scopes)
            await scope.ServiceProvider.GetRequiredService<ItemsDb>().Database.OpenConnectionAsync();
        await using (var db = api.OpenDb())
            Assert.True(await ServerProcessesAsync(db, "%") >= Burst, "the burst opened its connections");
        foreach (var scope in scopes)
            await scope.DisposeAsync();

        using var buyer = api.AsUser(ItemsApi.NewUserId());
        for (var i = 0; i < 2 * Burst; i++)
        {
            using var response = await ItemsApi.PurchaseAsync(buyer, item.Id, 1);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        await using (var db = api.OpenDb())
        {
            // Each purchase went alone, one batch after the other: one connection was enough.
            var placing = await ServerProcessesAsync(db, "WITH wanted AS%");
            Assert.True(placing <= 2, $"The batches' statement ran last on {placing} server processes.");
        }
    }

    /// <summary>Server processes of this database whose last statement is like <paramref name="pattern"/>.</summary>
    private static Task<int> ServerProcessesAsync(ItemsDb db, string pattern) =>
        db.Database.SqlQuery<int>($"""
            SELECT count(*)::int AS "Value" FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE {pattern}
            """).SingleAsync();
}
