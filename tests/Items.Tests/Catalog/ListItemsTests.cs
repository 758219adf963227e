using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Store.Items.Catalog;

namespace Store.Items.Tests.Catalog;

public sealed class ListItemsTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private static readonly JsonSerializerOptions Json = ItemsApi.Json;

    /// <summary>Items tagged with a tag no other test uses, so each test sees only its own.</summary>
    private async Task<(string Tag, List<ItemResponse> Items)> SeedAsync(params (string Name, string? Description, int Stock)[] items)
    {
        var tag = $"t{Guid.NewGuid():N}"[..20];
        var created = new List<ItemResponse>();
        foreach (var (name, description, stock) in items)
            created.Add(await api.CreateItemAsync(new { name, description, price = 10m, stock, tags = new[] { tag, "common" } }));
        return (tag, created);
    }

    private async Task<(List<ItemResponse> Items, int Total)> ListAsync(string query)
    {
        using var client = api.Anonymous();
        using var response = await client.GetAsync($"/api/items?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var total = int.Parse(response.Headers.GetValues("X-Total-Count").Single(), System.Globalization.CultureInfo.InvariantCulture);
        return ((await response.Content.ReadFromJsonAsync<List<ItemResponse>>(Json))!, total);
    }

    [Fact]
    public async Task Skip_and_limit_page_through_the_matches_in_id_order()
    {
        var (tag, items) = await SeedAsync(("a", null, 1), ("b", null, 1), ("c", null, 1), ("d", null, 1), ("e", null, 1));

        var (page, total) = await ListAsync($"tag={tag}&skip=1&limit=2");

        Assert.Equal(5, total);
        Assert.Equal([items[1].Id, items[2].Id], page.Select(i => i.Id));
    }

    [Fact]
    public async Task The_default_page_is_the_first_ten()
    {
        var (tag, items) = await SeedAsync([.. Enumerable.Range(0, 12).Select(i => ($"item {i}", (string?)null, 1))]);

        var (page, total) = await ListAsync($"tag={tag}");

        Assert.Equal(12, total);
        Assert.Equal(items.Take(10).Select(i => i.Id), page.Select(i => i.Id));
    }

    [Fact]
    public async Task Search_is_a_case_insensitive_substring_of_name_or_description()
    {
        var marker = $"Zq{Guid.NewGuid():N}"[..12];
        var (tag, items) = await SeedAsync(
            ($"Red {marker} lamp", null, 1),
            ("Green lamp", $"has {marker.ToUpperInvariant()} inside", 1),
            ("Blue lamp", "nothing", 1));

        var (page, total) = await ListAsync($"tag={tag}&search={marker.ToLowerInvariant()}");

        Assert.Equal(2, total);
        Assert.Equal([items[0].Id, items[1].Id], page.Select(i => i.Id));
    }

    [Fact]
    public async Task Search_treats_wildcards_as_plain_characters()
    {
        var (tag, items) = await SeedAsync(("100% cotton", null, 1), ("100 cotton", null, 1), ("a_b", null, 1), ("axb", null, 1));

        var (percent, _) = await ListAsync($"tag={tag}&search={Uri.EscapeDataString("0%")}");
        var (underscore, _) = await ListAsync($"tag={tag}&search=a_b");

        Assert.Equal([items[0].Id], percent.Select(i => i.Id));
        Assert.Equal([items[2].Id], underscore.Select(i => i.Id));
    }

    [Fact]
    public async Task In_stock_filters_on_stock_above_zero_or_zero()
    {
        var (tag, items) = await SeedAsync(("full", null, 5), ("empty", null, 0), ("one", null, 1));

        var (inStock, inStockTotal) = await ListAsync($"tag={tag}&in_stock=true");
        var (soldOut, soldOutTotal) = await ListAsync($"tag={tag}&in_stock=false");
        var (all, allTotal) = await ListAsync($"tag={tag}");

        Assert.Equal([items[0].Id, items[2].Id], inStock.Select(i => i.Id));
        Assert.Equal(2, inStockTotal);
        Assert.Equal([items[1].Id], soldOut.Select(i => i.Id));
        Assert.Equal(1, soldOutTotal);
        Assert.Equal(3, allTotal);
        Assert.Equal(3, all.Count);
    }

    [Fact]
    public async Task Tag_filters_on_an_exact_tag()
    {
        var (tag, items) = await SeedAsync(("tagged", null, 1));

        var (page, total) = await ListAsync($"tag={tag}");
        var (prefix, prefixTotal) = await ListAsync($"tag={tag[..^1]}");

        Assert.Equal([items[0].Id], page.Select(i => i.Id));
        Assert.Equal(1, total);
        Assert.Empty(prefix);
        Assert.Equal(0, prefixTotal);
    }

    [Theory]
    [InlineData("skip=-1", "skip")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    public async Task Paging_out_of_range_is_422_naming_the_parameter(string query, string field)
    {
        using var client = api.Anonymous();

        using var response = await client.GetAsync($"/api/items?{query}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}");
    }

    [Theory]
    [InlineData("limit=abc")]
    [InlineData("in_stock=maybe")]
    [InlineData("skip=99999999999999")]
    public async Task A_query_value_of_the_wrong_type_is_400(string query)
    {
        using var client = api.Anonymous();

        using var response = await client.GetAsync($"/api/items?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
