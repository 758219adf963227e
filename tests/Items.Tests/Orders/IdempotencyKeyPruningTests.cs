using System.Net;
using Microsoft.EntityFrameworkCore;
using Store.Testing;

namespace Store.Items.Tests.Orders;

/// <summary>
/// Idempotency-Key records expire after Items:IdempotencyKeys:Retention (a day): older ones are
/// deleted, and the same key is then a new purchase; younger ones still answer with the first result.
/// </summary>
public sealed class IdempotencyKeyPruningTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    [Fact]
    public async Task Keys_older_than_the_retention_are_deleted_and_younger_ones_still_replay()
    {
        var item = await api.CreateItemAsync(new { name = "Pruned key lamp", price = 4m, stock = 10 });
        var userId = ItemsApi.NewUserId();
        int youngOrder, oldOrder;
        using (var buyer = api.ClientWith(TestTokens.User(userId)))
        {
            using var old = await ItemsApi.PurchaseAsync(buyer, item.Id, 1, "old-key");
            using var young = await ItemsApi.PurchaseAsync(buyer, item.Id, 1, "young-key");
            Assert.Equal(HttpStatusCode.Created, old.StatusCode);
            Assert.Equal(HttpStatusCode.Created, young.StatusCode);
            oldOrder = (await ItemsApi.ReadOrderAsync(old)).Id;
            youngOrder = (await ItemsApi.ReadOrderAsync(young)).Id;
        }
        // As far as the table knows, "old-key" was used two days ago.
        await using (var db = api.OpenDb())
        {
            var twoDaysAgo = DateTimeOffset.UtcNow.AddDays(-2);
            await db.IdempotentRequests.Where(r => r.UserId == userId && r.Key == "old-key")
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.CreatedAt, twoDaysAgo));
        }

        // An instance that looks for expired keys every 100 ms.
        await using var pruning = api.WithWebHostBuilder(host => host.UseSetting("Items:IdempotencyKeys:PruneInterval", "00:00:00.100"));
        using var buyerThere = ItemsApi.ClientOf(pruning, TestTokens.User(userId));
        var keys = await Eventually.GetAsync(async () =>
        {
            await using var db = api.OpenDb();
            return await db.IdempotentRequests.Where(r => r.UserId == userId).Select(r => r.Key).ToListAsync();
        }, left => left.Count == 1, TimeSpan.FromSeconds(30), "the expired key to be deleted");

        Assert.Equal(["young-key"], keys);
        using var youngAgain = await ItemsApi.PurchaseAsync(buyerThere, item.Id, 1, "young-key");
        using var oldAgain = await ItemsApi.PurchaseAsync(buyerThere, item.Id, 1, "old-key");
        Assert.Equal(HttpStatusCode.Created, youngAgain.StatusCode);
        Assert.Equal(youngOrder, (await ItemsApi.ReadOrderAsync(youngAgain)).Id);
        Assert.Equal(HttpStatusCode.Created, oldAgain.StatusCode);
        Assert.NotEqual(oldOrder, (await ItemsApi.ReadOrderAsync(oldAgain)).Id);
    }
}
