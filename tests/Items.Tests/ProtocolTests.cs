using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Store.Testing;

namespace Store.Items.Tests;

/// <summary>The conventions every service shares (docs/contract.md): problem details, request ids, health.</summary>
public sealed class ProtocolTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private static StringContent Body(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), "a problem without a detail");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("trace_id").GetString()));
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        return problem;
    }

    [Theory]
    [InlineData("{\"name\": \"x\", ")]
    [InlineData("not json")]
    [InlineData("""{"name": "x", "price": "cheap"}""")]
    [InlineData("""{"name": "x", "price": 1, "stock": 1e40}""")]
    [InlineData("""{"name": "x", "price": 1, "stock": 99999999999}""")]
    [InlineData("""{"name": ["x"], "price": 1}""")]
    [InlineData("[]")]
    public async Task A_body_that_cannot_be_read_is_400_problem_not_500(string json)
    {
        using var admin = api.AsAdmin();

        using var response = await admin.PostAsync("/api/items", Body(json));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_body_of_another_content_type_is_415()
    {
        using var admin = api.AsAdmin();

        using var response = await admin.PostAsync("/api/items", Body("name=x&price=1", "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_json_fields_are_ignored()
    {
        using var admin = api.AsAdmin();

        using var response = await admin.PostAsync("/api/items", Body("""{"name": "x", "price": 1, "colour": "red"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_route_is_404_problem()
    {
        using var client = api.Anonymous();
        using var response = await client.GetAsync("/api/nothing-here");
        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_request_id_is_taken_from_the_request_and_returned()
    {
        using var client = api.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/items/424242");
        request.Headers.Add("X-Request-Id", "req-123.abc");

        using var response = await client.SendAsync(request);

        Assert.Equal("req-123.abc", response.Headers.GetValues("X-Request-Id").Single());
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("req-123.abc", problem.GetProperty("request_id").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("has spaces and <html>")]
    public async Task A_missing_or_unsafe_request_id_is_replaced_by_a_new_one(string? sent)
    {
        using var client = api.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/items");
        if (sent is not null)
            request.Headers.TryAddWithoutValidation("X-Request-Id", sent);

        using var first = await client.SendAsync(request);
        using var second = await client.GetAsync("/api/items");

        var id = first.Headers.GetValues("X-Request-Id").Single();
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.NotEqual(id, second.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task Health_live_and_ready_answer_200_with_the_database_broker_and_outbox_checked()
    {
        using var client = api.Anonymous();

        using var live = await client.GetAsync("/health/live");
        // The bus connects in the background after start-up: ready turns healthy once it has.
        var report = await Eventually.GetAsync(async () =>
        {
            using var ready = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            return await ready.Content.ReadFromJsonAsync<JsonElement>();
        }, r => r.GetProperty("status").GetString() == "healthy", TimeSpan.FromSeconds(30), "readiness to be healthy");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        var checks = report.GetProperty("checks");
        foreach (var check in new[] { "items", "rabbitmq", "outbox" })
            Assert.Equal("healthy", checks.GetProperty(check).GetProperty("status").GetString());
    }
}
