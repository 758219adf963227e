using System.Net;
using System.Net.Http.Json;
using Store.Contracts;
using Store.Testing;

namespace Store.Items.Tests.Catalog;

/// <summary>The catalog's events: each change commits with its event, which carries the admin and the request id.</summary>
public sealed class CatalogEventTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private static HttpRequestMessage Request(HttpMethod method, string path, string requestId, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Request-Id", requestId);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        return request;
    }

    [Fact]
    public async Task Create_change_and_delete_publish_their_events_in_order_with_the_admin_and_the_request_id()
    {
        await using var created = await EventCollector.StartAsync<ItemCreated>(api.Vhost.Name);
        await using var updated = await EventCollector.StartAsync<ItemUpdated>(api.Vhost.Name);
        await using var deleted = await EventCollector.StartAsync<ItemDeleted>(api.Vhost.Name);
        using var admin = api.ClientWith(TestTokens.Admin(id: 7, name: "root"));
        var run = Guid.NewGuid().ToString("N")[..8];

        using var create = await admin.SendAsync(Request(HttpMethod.Post, "/api/items", $"create-{run}",
            new { name = $"Kite {run}", price = 12m, tags = new[] { "toy" }, stock = 4 }));
        var id = (await create.Content.ReadFromJsonAsync<Store.Items.Catalog.ItemResponse>(ItemsApi.Json))!.Id;
        using var patch = await admin.SendAsync(Request(HttpMethod.Patch, $"/api/items/{id}", $"patch-{run}", new { price = 14m, stock = 4 }));
        using var put = await admin.SendAsync(Request(HttpMethod.Put, $"/api/items/{id}", $"put-{run}",
            new { name = $"Big kite {run}", price = 14m, tags = new[] { "toy", "outdoor" }, stock = 4 }));
        using var delete = await admin.SendAsync(Request(HttpMethod.Delete, $"/api/items/{id}", $"delete-{run}"));
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

        var itemCreated = (await created.WaitForAsync(1, e => e.ItemId == id)).Single();
        Assert.Equal((id, $"Kite {run}", 12m, 4, "toy"), (itemCreated.Message.ItemId, itemCreated.Message.Name, itemCreated.Message.Price, itemCreated.Message.Stock, itemCreated.Message.Tags.Single()));
        Assert.Equal((7, "root", $"create-{run}"), (itemCreated.Message.ActorId, itemCreated.Message.ActorName, itemCreated.Message.CorrelationId));
        Assert.Equal(itemCreated.Message.EventId, itemCreated.MessageId);

        var changes = await updated.WaitForAsync(2, e => e.ItemId == id);
        // Only fields whose value changed are named: the stock sent was the stock it had.
        Assert.Equal(["price"], changes[0].Message.ChangedFields);
        Assert.Equal(14m, changes[0].Message.Price);
        Assert.Equal($"patch-{run}", changes[0].Message.CorrelationId);
        Assert.Equal(["name", "tags"], changes[1].Message.ChangedFields.Order());
        Assert.Equal($"Big kite {run}", changes[1].Message.Name);

        var itemDeleted = (await deleted.WaitForAsync(1, e => e.ItemId == id)).Single();
        Assert.Equal(($"Big kite {run}", $"delete-{run}", 7), (itemDeleted.Message.Name, itemDeleted.Message.CorrelationId, itemDeleted.Message.ActorId));

        // One outbox row per change, in the order they were committed.
        var outbox = await api.OutboxOfAsync(id);
        Assert.Equal(["ItemCreated", "ItemUpdated", "ItemUpdated", "ItemDeleted"],
            outbox.Select(m => m.MessageType.Split(',')[0].Split('.')[^1]));
    }

    [Fact]
    public async Task A_refused_change_publishes_nothing()
    {
        var item = await api.CreateItemAsync(new { name = "Yo-yo", price = 2m });
        using var admin = api.AsAdmin();

        using var invalid = await admin.PatchAsJsonAsync($"/api/items/{item.Id}", new { price = -1m });
        using var missing = await admin.PatchAsJsonAsync("/api/items/99999999", new { price = 1m });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(["Store.Contracts.ItemCreated, Contracts"], (await api.OutboxOfAsync(item.Id)).Select(m => m.MessageType));
        Assert.Empty(await api.OutboxOfAsync(99999999));
    }
}
