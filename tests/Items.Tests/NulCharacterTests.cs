using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Store.Items.Tests;

/// <summary>
/// A NUL character (U+0000) in a body or the query string is 400 problem before it reaches
/// PostgreSQL (which refuses it: it was a 500 that also broke the pooled connection for the
/// requests after it), and the service goes on answering.
/// </summary>
public sealed class NulCharacterTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task AssertNulProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("NUL", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Reads and writes that go to the database, each of which failed after the broken connection.</summary>
    private async Task AssertTheServiceStillWorksAsync()
    {
        using var admin = api.AsAdmin();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var listed = await admin.GetAsync("/api/items?search=lamp");
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            using var created = await admin.PostAsync("/api/items", Json("""{"name": "Lamp after NUL", "price": 3}"""));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
    }

    [Theory]
    [InlineData("""{"name": "La\u0000mp", "price": 3}""")]
    [InlineData("""{"name": "Lamp", "description": "\u0000", "price": 3}""")]
    [InlineData("""{"name": "Lamp", "price": 3, "tags": ["ok", "b\u0000d"]}""")]
    public async Task A_body_string_with_nul_is_400_problem_and_the_service_goes_on(string json)
    {
        using var admin = api.AsAdmin();

        using var created = await admin.PostAsync("/api/items", Json(json));
        await AssertNulProblemAsync(created);
        var item = await api.CreateItemAsync(new { name = "Patched", price = 3m });
        using var patched = await admin.PatchAsync($"/api/items/{item.Id}", Json("""{"name": "x\u0000"}"""));
        await AssertNulProblemAsync(patched);

        await AssertTheServiceStillWorksAsync();
        var unchanged = await admin.GetFromJsonAsync<JsonElement>($"/api/items/{item.Id}");
        Assert.Equal("Patched", unchanged.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("search=%00")]
    [InlineData("search=lamp%00")]
    [InlineData("tag=a%00b")]
    [InlineData("x%00=1")]
    public async Task A_query_string_with_nul_is_400_problem_and_the_service_goes_on(string query)
    {
        using var anonymous = api.Anonymous();

        using var response = await anonymous.GetAsync($"/api/items?{query}");

        await AssertNulProblemAsync(response);
        await AssertTheServiceStillWorksAsync();
    }

    [Fact]
    public async Task Without_a_token_or_the_role_a_nul_is_still_401_or_403()
    {
        using var anonymous = api.Anonymous();
        using var user = api.AsUser();

        using var unauthenticated = await anonymous.PostAsync("/api/items?search=%00", Json("""{"name": "\u0000", "price": 3}"""));
        using var forbidden = await user.PostAsync("/api/items?search=%00", Json("""{"name": "\u0000", "price": 3}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }
}
