using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Store.Items.Catalog;
using Store.Testing;

namespace Store.Items.Tests.Catalog;

/// <summary>
/// Items created at the same time are inserted by one statement (<see cref="NewItems"/>): each
/// creation still gets its own item, as sent, with its own id and its own ItemCreated event.
/// </summary>
public sealed class NewItemsTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    [Fact]
    public async Task Items_created_together_share_a_statement_and_each_gets_its_id_fields_and_event()
    {
        using var batches = new BatchMeasurements("new-items");
        using var admin = api.AsAdmin();
        using var anyone = api.Anonymous();
        var run = Guid.NewGuid().ToString("N")[..8];
        var bodies = Enumerable.Range(0, 40).Select(i => new ItemCreate
        {
            Name = $"Together {run} {i}",
            Description = i % 2 == 0 ? null : $"Made with {i} others",
            Price = 1.25m + i,
            Tax = i % 3 == 0 ? null : 0.5m,
            Tags = i % 4 == 0 ? null : [.. Enumerable.Range(0, i % 4).Select(t => $"tag-{t}")],
            Stock = i,
        }).ToList();

        Task<HttpResponseMessage[]> sent;
        // Inserts wait while the table is held, so the creations sent meanwhile queue up together.
        await using (await api.HoldLockAsync("LOCK TABLE items IN SHARE MODE"))
        {
            var first = admin.PostAsJsonAsync("/api/items", bodies[0], ItemsApi.Json);
            await api.WaitForALockWaitAsync();
            sent = Task.WhenAll([first, .. bodies.Skip(1).Select(body => admin.PostAsJsonAsync("/api/items", body, ItemsApi.Json))]);
        }
        var responses = await sent.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var created = new List<ItemResponse>();
        foreach (var response in responses)
            created.Add((await response.Content.ReadFromJsonAsync<ItemResponse>(ItemsApi.Json))!);
        Assert.Equal(created.Count, created.Select(i => i.Id).Distinct().Count());
        for (var i = 0; i < bodies.Count; i++)
        {
            Assert.Equal($"/api/items/{created[i].Id}", responses[i].Headers.Location?.OriginalString);
            var read = await anyone.GetFromJsonAsync<ItemResponse>($"/api/items/{created[i].Id}", ItemsApi.Json);
            foreach (var item in new[] { created[i], read! })
            {
                Assert.Equal(bodies[i].Name, item.Name);
                Assert.Equal(bodies[i].Description, item.Description);
                Assert.Equal(bodies[i].Price, item.Price);
                Assert.Equal(bodies[i].Tax, item.Tax);
                Assert.Equal(bodies[i].Tags ?? [], item.Tags.ToList());
                Assert.Equal(bodies[i].Stock, item.Stock);
            }
            var events = await api.OutboxOfAsync(created[i].Id);
            var announced = JsonDocument.Parse(Assert.Single(events).Body).RootElement;
            Assert.StartsWith("Store.Contracts.ItemCreated", events[0].MessageType, StringComparison.Ordinal);
            Assert.Equal(created[i].Id, announced.GetProperty("item_id").GetInt32());
            Assert.Equal(bodies[i].Name, announced.GetProperty("name").GetString());
        }
        Assert.True(batches.Largest > 1, $"Expected a batch of several items; batches: {string.Join(", ", batches.Sizes)}");

        foreach (var response in responses)
            response.Dispose();
    }
}
