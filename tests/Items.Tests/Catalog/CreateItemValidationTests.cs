using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Store.Items.Tests.Catalog;

public sealed class CreateItemValidationTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private static JsonObject Valid() => new()
    {
        ["name"] = "Lamp",
        ["description"] = "A desk lamp",
        ["price"] = 20.5m,
        ["tax"] = 4.1m,
        ["tags"] = new JsonArray("home", "light"),
        ["stock"] = 3,
    };

    // Each case breaks exactly one rule of ItemCreate (docs/contract.md) and names the field it breaks.
    public static TheoryData<string, JsonNode?> Violations() => new()
    {
        { "name", null },
        { "name", "" },
        { "name", "   " },
        { "name", new string('n', 101) },
        { "description", new string('d', 501) },
        { "price", 0 },
        { "price", -1 },
        { "price", 1_000_000.01m },
        { "price", 1.234m },
        { "tax", -0.01m },
        { "tax", 0.001m },
        { "tags", new JsonArray([.. Enumerable.Range(0, 21).Select(i => (JsonNode)$"t{i}")]) },
        { "tags", new JsonArray("") },
        { "tags", new JsonArray(new string('t', 31)) },
        { "tags", new JsonArray("ok", null) },
        { "stock", -1 },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task A_broken_rule_is_422_naming_the_field(string field, JsonNode? value)
    {
        var body = Valid();
        body[field] = value?.DeepClone();
        using var admin = api.AsAdmin();

        using var response = await admin.PostAsJsonAsync("/api/items", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(422, problem.GetProperty("status").GetInt32());
        var errors = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Equal([field], errors);
    }

    [Fact]
    public async Task A_missing_price_is_422_naming_price()
    {
        var body = Valid();
        body.Remove("price");
        using var admin = api.AsAdmin();

        using var response = await admin.PostAsJsonAsync("/api/items", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("price", out _));
    }

    [Fact]
    public async Task A_valid_item_passes_the_same_rules()
    {
        using var admin = api.AsAdmin();
        using var response = await admin.PostAsJsonAsync("/api/items", Valid());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
