using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Store.Items.Catalog;

namespace Store.Items.Tests.Catalog;

public sealed class ItemCrudTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private static readonly JsonSerializerOptions Json = ItemsApi.Json;

    [Fact]
    public async Task Create_returns_201_with_location_and_the_full_item()
    {
        using var admin = api.AsAdmin();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        using var response = await admin.PostAsJsonAsync("/api/items",
            new { name = "Kettle", description = "Boils water", price = 20.5m, tax = 4.1m, tags = new[] { "kitchen" }, stock = 7 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var item = JsonSerializer.Deserialize<ItemResponse>(body, Json);
        Assert.NotNull(item);
        Assert.Equal($"/api/items/{item.Id}", response.Headers.Location?.OriginalString);
        Assert.True(item.Id > 0);
        Assert.Equal("Kettle", item.Name);
        Assert.Equal("Boils water", item.Description);
        Assert.Equal(20.5m, item.Price);
        Assert.Equal(4.1m, item.Tax);
        Assert.Equal(24.6m, item.PriceWithTax);
        Assert.Equal(["kitchen"], item.Tags);
        Assert.Equal(7, item.Stock);
        Assert.InRange(item.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(item.CreatedAt, item.UpdatedAt);

        // The body is snake_case on the wire.
        var raw = JsonDocument.Parse(body).RootElement;
        Assert.Equal(24.6m, raw.GetProperty("price_with_tax").GetDecimal());
        Assert.True(raw.TryGetProperty("created_at", out _));

        var fetched = await admin.GetFromJsonAsync<ItemResponse>(response.Headers.Location, Json);
        Assert.Equal(item with { Tags = fetched!.Tags }, fetched);
        Assert.Equal(item.Tags, fetched.Tags);
    }

    [Fact]
    public async Task An_item_without_tax_has_no_price_with_tax_and_defaults()
    {
        var item = await api.CreateItemAsync(new { name = "Pencil", price = 1.25m });

        Assert.Null(item.Tax);
        Assert.Null(item.PriceWithTax);
        Assert.Null(item.Description);
        Assert.Empty(item.Tags);
        Assert.Equal(0, item.Stock);
    }

    [Fact]
    public async Task Get_of_a_missing_item_is_404_naming_it()
    {
        using var client = api.Anonymous();

        using var response = await client.GetAsync("/api/items/99999");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Item 99999 not found", problem.GetProperty("detail").GetString());
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Put_replaces_every_field()
    {
        var item = await api.CreateItemAsync(new { name = "Mug", description = "Blue", price = 5m, tax = 1m, tags = new[] { "a" }, stock = 2 });
        using var admin = api.AsAdmin();

        using var response = await admin.PutAsJsonAsync($"/api/items/{item.Id}", new { name = "Big mug", price = 6.5m, stock = 9 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var replaced = await response.Content.ReadFromJsonAsync<ItemResponse>(Json);
        Assert.Equal("Big mug", replaced!.Name);
        Assert.Null(replaced.Description);
        Assert.Equal(6.5m, replaced.Price);
        Assert.Null(replaced.Tax);
        Assert.Empty(replaced.Tags);
        Assert.Equal(9, replaced.Stock);
        Assert.Equal(item.CreatedAt, replaced.CreatedAt);
        Assert.True(replaced.UpdatedAt > item.UpdatedAt);
    }

    [Fact]
    public async Task Put_follows_the_create_rules_and_404s_a_missing_item()
    {
        var item = await api.CreateItemAsync(new { name = "Plate", price = 3m });
        using var admin = api.AsAdmin();

        using var invalid = await admin.PutAsJsonAsync($"/api/items/{item.Id}", new { name = "Plate", price = 0 });
        using var missing = await admin.PutAsJsonAsync("/api/items/99999", new { name = "Plate", price = 3m });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var unchanged = await admin.GetFromJsonAsync<ItemResponse>($"/api/items/{item.Id}", Json);
        Assert.Equal(3m, unchanged!.Price);
    }

    [Fact]
    public async Task Patch_changes_only_the_fields_sent()
    {
        var item = await api.CreateItemAsync(new { name = "Chair", description = "Oak", price = 40m, tax = 8m, tags = new[] { "wood" }, stock = 4 });
        using var admin = api.AsAdmin();

        using var response = await admin.PatchAsJsonAsync($"/api/items/{item.Id}", new { stock = 10 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var patched = await response.Content.ReadFromJsonAsync<ItemResponse>(Json);
        Assert.Equal(10, patched!.Stock);
        Assert.Equal(("Chair", "Oak", 40m, 8m, 48m), (patched.Name, patched.Description, patched.Price, patched.Tax, patched.PriceWithTax));
        Assert.Equal(["wood"], patched.Tags);
    }

    [Fact]
    public async Task Patch_with_an_explicit_null_clears_a_nullable_field()
    {
        var item = await api.CreateItemAsync(new { name = "Desk", description = "Pine", price = 100m, tax = 20m });
        using var admin = api.AsAdmin();

        using var response = await admin.PatchAsJsonAsync($"/api/items/{item.Id}", new { tax = (decimal?)null, description = (string?)null });

        var patched = await response.Content.ReadFromJsonAsync<ItemResponse>(Json);
        Assert.Null(patched!.Tax);
        Assert.Null(patched.PriceWithTax);
        Assert.Null(patched.Description);
        Assert.Equal(100m, patched.Price);
    }

    [Theory]
    [InlineData("""{"name": null}""", "name")]
    [InlineData("""{"name": " "}""", "name")]
    [InlineData("""{"price": null}""", "price")]
    [InlineData("""{"price": -5}""", "price")]
    [InlineData("""{"stock": null}""", "stock")]
    [InlineData("""{"stock": -1}""", "stock")]
    [InlineData("""{"tags": [""]}""", "tags")]
    public async Task Patch_breaking_a_rule_is_422_and_changes_nothing(string body, string field)
    {
        var item = await api.CreateItemAsync(new { name = "Shelf", price = 15m, stock = 1, tags = new[] { "x" } });
        using var admin = api.AsAdmin();

        using var response = await admin.PatchAsync($"/api/items/{item.Id}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}");
        var unchanged = await admin.GetFromJsonAsync<ItemResponse>($"/api/items/{item.Id}", Json);
        Assert.Equal((item.Name, item.Price, item.Stock, item.UpdatedAt), (unchanged!.Name, unchanged.Price, unchanged.Stock, unchanged.UpdatedAt));
    }

    [Fact]
    public async Task Patch_of_a_missing_item_is_404()
    {
        using var admin = api.AsAdmin();
        using var response = await admin.PatchAsJsonAsync("/api/items/99999", new { stock = 1 });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Delete_removes_the_item_and_a_second_delete_is_404()
    {
        var item = await api.CreateItemAsync(new { name = "Vase", price = 12m });
        using var admin = api.AsAdmin();

        using var deleted = await admin.DeleteAsync($"/api/items/{item.Id}");
        using var again = await admin.DeleteAsync($"/api/items/{item.Id}");
        using var fetched = await admin.GetAsync($"/api/items/{item.Id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, fetched.StatusCode);
    }
}
