using System.Net;
using System.Net.Http.Json;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Store.Items.Catalog;
using Store.Items.Data;
using Store.Testing;

namespace Store.Items.Tests.Catalog;

/// <summary>
/// Reads of single items come from a cache: this instance's writes are visible to its next read,
/// another instance's changes and deletions through their events, and anything else (a purchase on
/// another instance, a lost event) once the entry is older than Items:Cache:MaxAge.
/// </summary>
public sealed class ItemCacheTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    // The fixture's entries live an hour, so only the event can make the other instance see a write. It takes well
    // under a second (bench/suite.sh measures the same path: commit -> relay -> RabbitMQ -> consumer);
    // the bound is wider because these tests share 2 cores with the rest of the test run.
    private static readonly TimeSpan EventDelivered = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxAgeOfOneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_read_after_put_sees_the_replaced_item()
    {
        using var admin = api.AsAdmin();
        var item = await api.CreateItemAsync(new { name = "Lamp", price = 10m, stock = 3 });
        Assert.Equal("Lamp", (await GetAsync(admin, item.Id)).Name);

        using var put = await admin.PutAsJsonAsync($"/api/items/{item.Id}", new { name = "Desk lamp", price = 12.5m, stock = 9 }, ItemsApi.Json);
        put.EnsureSuccessStatusCode();

        var read = await GetAsync(admin, item.Id);
        Assert.Equal("Desk lamp", read.Name);
        Assert.Equal(12.5m, read.Price);
        Assert.Equal(9, read.Stock);
    }

    [Fact]
    public async Task A_read_after_patch_sees_the_changed_fields()
    {
        using var admin = api.AsAdmin();
        var item = await api.CreateItemAsync(new { name = "Mug", price = 4m, tax = 1m, stock = 3 });
        Assert.Equal(1m, (await GetAsync(admin, item.Id)).Tax);

        using var patch = await admin.PatchAsJsonAsync($"/api/items/{item.Id}", new { tax = (decimal?)null, stock = 40 }, ItemsApi.Json);
        patch.EnsureSuccessStatusCode();

        var read = await GetAsync(admin, item.Id);
        Assert.Null(read.Tax);
        Assert.Null(read.PriceWithTax);
        Assert.Equal(40, read.Stock);
    }

    [Fact]
    public async Task A_read_after_a_purchase_sees_the_new_stock()
    {
        using var user = api.AsUser(ItemsApi.NewUserId());
        var item = await api.CreateItemAsync(new { name = "Pen", price = 2m, stock = 10 });
        Assert.Equal(10, (await GetAsync(user, item.Id)).Stock);

        using (var bought = await ItemsApi.PurchaseAsync(user, item.Id, 3))
            Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        Assert.Equal(7, (await GetAsync(user, item.Id)).Stock);

        using (var ordered = await ItemsApi.PlaceOrderAsync(user, item.Id, 2))
            Assert.Equal(HttpStatusCode.Created, ordered.StatusCode);
        Assert.Equal(5, (await GetAsync(user, item.Id)).Stock);
    }

    [Fact]
    public async Task A_read_after_delete_is_404()
    {
        using var admin = api.AsAdmin();
        var item = await api.CreateItemAsync(new { name = "Chair", price = 30m });
        Assert.Equal("Chair", (await GetAsync(admin, item.Id)).Name);

        using (var deleted = await admin.DeleteAsync($"/api/items/{item.Id}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        using var read = await admin.GetAsync($"/api/items/{item.Id}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task A_cached_read_is_the_same_json_as_the_item_written()
    {
        using var anonymous = api.Anonymous();
        var item = await api.CreateItemAsync(new { name = "Cup", description = "Blue", price = 3.5m, tax = 0.5m, tags = new[] { "kitchen" }, stock = 2 });

        using var first = await anonymous.GetAsync($"/api/items/{item.Id}");
        using var second = await anonymous.GetAsync($"/api/items/{item.Id}");

        Assert.Equal("application/json", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        var read = (await second.Content.ReadFromJsonAsync<ItemResponse>(ItemsApi.Json))!;
        Assert.Equal(item with { Tags = read.Tags }, read);
        Assert.Equal(["kitchen"], read.Tags);
    }

    [Fact]
    public async Task A_purchase_on_one_instance_is_visible_on_another_within_the_cache_max_age()
    {
        // OrderPlaced does not evict other instances' entries: their max age does.
        await using var other = await StartOtherInstanceAsync(MaxAgeOfOneSecond);
        using var otherClient = ItemsApi.ClientOf(other, TestTokens.Admin());
        using var user = api.AsUser(ItemsApi.NewUserId());
        var item = await api.CreateItemAsync(new { name = "Torch", price = 8m, stock = 20 });
        Assert.Equal(20, (await GetAsync(otherClient, item.Id)).Stock);
        // Started once the read is answered: the entry is at least this old.
        var cachedAt = System.Diagnostics.Stopwatch.StartNew();

        using (var bought = await ItemsApi.PurchaseAsync(user, item.Id, 4))
            Assert.Equal(HttpStatusCode.Created, bought.StatusCode);

        // Once the entry is older than the max age, the next read is the database's (however slow the machine).
        await PastAsync(cachedAt, MaxAgeOfOneSecond);
        Assert.Equal(16, (await GetAsync(otherClient, item.Id)).Stock);
    }

    [Fact]
    public async Task A_change_no_event_announced_is_read_again_once_the_entry_is_older_than_the_max_age()
    {
        await using var instance = await StartOtherInstanceAsync(MaxAgeOfOneSecond);
        using var client = ItemsApi.ClientOf(instance, TestTokens.Admin());
        var item = await api.CreateItemAsync(new { name = "Kettle", price = 30m, stock = 3 });
        Assert.Equal(30m, (await GetAsync(client, item.Id)).Price);

        // Behind the service's back: no event, no eviction (as if the event were lost).
        await using (var db = api.OpenDb())
            await db.Database.ExecuteSqlAsync($"UPDATE items SET price = 31 WHERE id = {item.Id}");

        await Eventually.GetAsync(() => GetAsync(client, item.Id), i => i.Price == 31m, EventDelivered, "the instance to read the item again");
    }

    [Fact]
    public async Task A_patch_on_one_instance_is_visible_on_another_through_its_event()
    {
        await using var other = await StartOtherInstanceAsync();
        using var otherClient = ItemsApi.ClientOf(other, TestTokens.Admin());
        using var admin = api.AsAdmin();
        var item = await api.CreateItemAsync(new { name = "Rug", price = 50m, stock = 1 });
        Assert.Equal(50m, (await GetAsync(otherClient, item.Id)).Price);

        using (var patch = await admin.PatchAsJsonAsync($"/api/items/{item.Id}", new { price = 45m }, ItemsApi.Json))
            patch.EnsureSuccessStatusCode();

        await Eventually.GetAsync(() => GetAsync(otherClient, item.Id), i => i.Price == 45m, EventDelivered, "the other instance to see price 45");
    }

    [Fact]
    public async Task A_write_on_the_other_instance_is_visible_here_through_its_event()
    {
        await using var other = await StartOtherInstanceAsync();
        using var otherClient = ItemsApi.ClientOf(other, TestTokens.Admin());
        using var admin = api.AsAdmin();
        var item = await api.CreateItemAsync(new { name = "Vase", price = 15m, stock = 5 });
        Assert.Equal(5, (await GetAsync(admin, item.Id)).Stock);

        using (var patch = await otherClient.PatchAsJsonAsync($"/api/items/{item.Id}", new { stock = 6 }, ItemsApi.Json))
            patch.EnsureSuccessStatusCode();

        await Eventually.GetAsync(() => GetAsync(admin, item.Id), i => i.Stock == 6, EventDelivered, "this instance to see stock 6");
    }

    [Fact]
    public async Task A_list_read_after_a_create_a_purchase_and_a_delete_sees_each()
    {
        using var admin = api.AsAdmin();
        using var user = api.AsUser(ItemsApi.NewUserId());
        var tag = $"page-{Guid.NewGuid():N}"[..30];
        var first = await api.CreateItemAsync(new { name = "Page lamp", price = 10m, stock = 5, tags = new[] { tag } });
        Assert.Equal([(first.Id, 5)], await PageAsync(admin, tag));

        var second = await api.CreateItemAsync(new { name = "Page rug", price = 12m, stock = 2, tags = new[] { tag } });
        Assert.Equal([(first.Id, 5), (second.Id, 2)], await PageAsync(admin, tag));

        using (var bought = await ItemsApi.PurchaseAsync(user, first.Id, 3))
            Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        Assert.Equal([(first.Id, 2), (second.Id, 2)], await PageAsync(admin, tag));

        using (var deleted = await admin.DeleteAsync($"/api/items/{second.Id}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal([(first.Id, 2)], await PageAsync(admin, tag));
    }

    [Fact]
    public async Task An_item_created_on_another_instance_is_in_this_ones_list_within_the_cache_max_age()
    {
        // ItemCreated does not evict other instances' pages: their max age does.
        await using var here = await StartOtherInstanceAsync(MaxAgeOfOneSecond);
        using var hereClient = ItemsApi.ClientOf(here, TestTokens.Admin());
        using var admin = api.AsAdmin();
        var tag = $"elsewhere-{Guid.NewGuid():N}"[..30];
        Assert.Empty(await PageAsync(hereClient, tag));
        // Started once the read is answered: the page is at least this old.
        var cachedAt = System.Diagnostics.Stopwatch.StartNew();

        var item = await api.CreateItemAsync(new { name = "Far lamp", price = 10m, stock = 1, tags = new[] { tag } });

        // Once the page is older than the max age, the next read is the database's (however slow the machine).
        await PastAsync(cachedAt, MaxAgeOfOneSecond);
        Assert.Equal([(item.Id, 1)], await PageAsync(hereClient, tag));
    }

    /// <summary>Waits until more than <paramref name="maxAge"/> has passed since <paramref name="since"/> started (with a margin for the clock's tick).</summary>
    private static async Task PastAsync(System.Diagnostics.Stopwatch since, TimeSpan maxAge)
    {
        var left = maxAge + TimeSpan.FromMilliseconds(100) - since.Elapsed;
        if (left > TimeSpan.Zero)
            await Task.Delay(left);
    }

    [Fact]
    public async Task A_deleted_item_is_404_on_both_instances()
    {
        await using var other = await StartOtherInstanceAsync();
        using var otherClient = ItemsApi.ClientOf(other, TestTokens.Admin());
        using var admin = api.AsAdmin();
        var item = await api.CreateItemAsync(new { name = "Shelf", price = 70m });
        Assert.Equal("Shelf", (await GetAsync(admin, item.Id)).Name);
        Assert.Equal("Shelf", (await GetAsync(otherClient, item.Id)).Name);

        using (var deleted = await admin.DeleteAsync($"/api/items/{item.Id}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        using (var here = await admin.GetAsync($"/api/items/{item.Id}"))
            Assert.Equal(HttpStatusCode.NotFound, here.StatusCode);
        await Eventually.GetAsync(
            async () => { using var there = await otherClient.GetAsync($"/api/items/{item.Id}"); return there.StatusCode; },
            status => status == HttpStatusCode.NotFound, EventDelivered, "the other instance to answer 404");
    }

    /// <summary>The list of the items with <paramref name="tag"/> (id and stock), checking that X-Total-Count agrees.</summary>
    private static async Task<List<(int Id, int Stock)>> PageAsync(HttpClient client, string tag)
    {
        using var response = await client.GetAsync($"/api/items?tag={tag}&limit=100");
        response.EnsureSuccessStatusCode();
        var items = (await response.Content.ReadFromJsonAsync<ItemResponse[]>(ItemsApi.Json))!;
        Assert.Equal(items.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("X-Total-Count").Single());
        return [.. items.Select(i => (i.Id, i.Stock))];
    }

    private static async Task<ItemResponse> GetAsync(HttpClient client, int id)
    {
        using var response = await client.GetAsync($"/api/items/{id}");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ItemResponse>(ItemsApi.Json))!;
    }

    /// <summary>A second instance on the same database and vhost; both instances' event queues are bound before use.</summary>
    private async Task<WebApplicationFactory<ItemsDb>> StartOtherInstanceAsync(TimeSpan? maxAge = null)
    {
        var other = api.WithWebHostBuilder(host =>
        {
            if (maxAge is not null)
                host.UseSetting("Items:Cache:MaxAge", maxAge.Value.ToString("c"));
        });
        foreach (var instance in new[] { api, other })
        {
            using (var client = instance.CreateClient())
            {
                using var live = await client.GetAsync("/health/live");
                live.EnsureSuccessStatusCode();
            }
            var bus = instance.Services.GetRequiredService<IBusControl>();
            await Eventually.GetAsync(() => Task.FromResult(bus.CheckHealth().Status), status => status == BusHealthStatus.Healthy,
                TimeSpan.FromSeconds(30), "the instance's bus to start");
        }
        return other;
    }
}
