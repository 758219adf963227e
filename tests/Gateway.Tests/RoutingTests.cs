using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Store.ServiceDefaults;
using Store.Testing;

namespace Store.Gateway.Tests;

/// <summary>
/// The routes of docs/contract.md and nothing else; tokens checked at the edge where a route needs one,
/// anonymous routes left anonymous, and the admin checks left to the services.
/// </summary>
public sealed class RoutingTests(GatewayUnderTest gateway) : IClassFixture<GatewayUnderTest>
{
    [Theory]
    [InlineData("/api/nothing-here")]
    [InlineData("/api")]
    [InlineData("/api/itemsx")]
    [InlineData("/swagger/v1/swagger.json")]
    [InlineData("/redoc")]
    public async Task An_unknown_path_is_404_problem_at_the_gateway(string path)
    {
        using var client = gateway.Client(TestTokens.Admin());

        using var response = await client.GetAsync(path);

        // The items service would answer /swagger/v1/swagger.json with 200: nothing unlisted is forwarded.
        var problem = await Answers.AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(path, problem.GetProperty("instance").GetString());
    }

    [Fact]
    public async Task The_catalog_is_read_through_the_gateway_without_a_token()
    {
        var item = await gateway.CreateItemAsync($"Routed {Guid.NewGuid():N}");
        var id = item.GetProperty("id").GetInt32();
        using var client = gateway.Client();

        using var list = await client.GetAsync("/api/items?limit=100");
        using var one = await client.GetAsync($"/api/items/{id}");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.True(int.Parse(list.Headers.GetValues("X-Total-Count").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Contains((await Answers.JsonAsync(list)).EnumerateArray(), listed => listed.GetProperty("id").GetInt32() == id);
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(item.GetProperty("name").GetString(), (await Answers.JsonAsync(one)).GetProperty("name").GetString());
    }

    public static TheoryData<string, string, string?, string> RoutesOfAbsentServices() => new()
    {
        // method, path, token, the service the route belongs to
        { "POST", "/api/auth/token", null, "users" },
        { "POST", "/api/users", null, "users" },
        { "GET", "/.well-known/jwks.json", null, "users" },
        { "GET", "/api/users/me", TestTokens.User(), "users" },
        { "GET", "/api/users", TestTokens.Admin(), "users" },
        { "DELETE", "/api/users/7", TestTokens.Admin(), "users" },
        { "GET", "/api/audit", TestTokens.Admin(), "audit" },
        { "GET", "/api/notifications/me", TestTokens.User(), "notifications" },
    };

    [Theory]
    [MemberData(nameof(RoutesOfAbsentServices))]
    public async Task A_route_is_forwarded_to_its_service_and_a_service_that_is_down_is_a_problem_naming_it(
        string method, string path, string? token, string service)
    {
        using var client = gateway.Client(token);

        using var response = await client.SendAsync(Request(method, path));

        // Anonymous routes pass without a token, the others with one; then the service is not there.
        Assert.True(response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable,
            $"{method} {path} answered {(int)response.StatusCode}");
        var problem = await Answers.AssertProblemAsync(response, response.StatusCode);
        Assert.Contains($"The {service} service", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> ProtectedRoutes() => new()
    {
        { "GET", "/api/users/me" },
        { "GET", "/api/users" },
        { "DELETE", "/api/users/7" },
        { "POST", "/api/auth/revoke" },
        { "GET", "/api/audit" },
        { "GET", "/api/notifications/me" },
        { "GET", "/api/orders" },
        { "POST", "/api/orders" },
        { "POST", "/api/items" },
        { "POST", "/api/items/1/purchase" },
        { "DELETE", "/api/items/1" },
    };

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task Without_a_token_a_protected_route_is_401_at_the_edge(string method, string path)
    {
        using var client = gateway.Client();

        using var response = await client.SendAsync(Request(method, path));

        // The services of most of these routes are not running (and the items service has no
        // /api/orders yet): only the gateway can have answered 401.
        await Answers.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    public static TheoryData<string, string> BadTokens() => new()
    {
        { "signed by another key", TestTokens.For(1, "admin", Roles.Admin, signingKey: TestTokens.NewKey("test-key")) },
        { "expired", TestTokens.For(1, "admin", Roles.Admin, expires: DateTime.UtcNow.AddMinutes(-5)) },
        { "of another issuer", TestTokens.For(1, "admin", Roles.Admin, issuer: "someone-else") },
        { "for another audience", TestTokens.For(1, "admin", Roles.Admin, audience: "another-api") },
        { "unsigned (alg none)", UnsignedToken() },
        { "not a token", "garbage" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_401_at_the_edge(string why, string token)
    {
        using var client = gateway.Client(token);

        using var response = await client.GetAsync("/api/audit");

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"a token {why} answered {(int)response.StatusCode}");
        await Answers.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Admin_checks_stay_in_the_service_behind_the_edge()
    {
        var item = new { name = $"Guarded {Guid.NewGuid():N}", price = 1m, stock = 1 };
        using var user = gateway.Client(TestTokens.User());
        using var admin = gateway.Client(TestTokens.Admin());

        using var asUser = await user.PostAsJsonAsync("/api/items", item, GatewayUnderTest.Json);
        using var asAdmin = await admin.PostAsJsonAsync("/api/items", item, GatewayUnderTest.Json);

        // A valid user token passes the edge; the items service refuses it.
        await Answers.AssertProblemAsync(asUser, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Created, asAdmin.StatusCode);
    }

    [Fact]
    public async Task The_callers_request_id_reaches_the_service_and_comes_back_once()
    {
        using var client = gateway.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/items/999999");
        request.Headers.Add("X-Request-Id", "gw-test.42");

        using var response = await client.SendAsync(request);

        Assert.Equal("gw-test.42", response.Headers.GetValues("X-Request-Id").Single());
        // The items service writes the id it received into its 404 problem.
        var problem = await Answers.AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("Item 999999 not found", problem.GetProperty("detail").GetString());
        Assert.Equal("gw-test.42", problem.GetProperty("request_id").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("has spaces and <html>")]
    public async Task Without_a_usable_request_id_the_gateway_makes_one_and_the_service_receives_it(string? sent)
    {
        using var client = gateway.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/items/999998");
        if (sent is not null)
            request.Headers.TryAddWithoutValidation("X-Request-Id", sent);

        using var response = await client.SendAsync(request);

        var id = response.Headers.GetValues("X-Request-Id").Single();
        Assert.Matches("^[0-9a-f]{32}$", id);
        var problem = await Answers.AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("Item 999998 not found", problem.GetProperty("detail").GetString());
        Assert.Equal(id, problem.GetProperty("request_id").GetString());
    }

    /// <summary>A request with an empty JSON object as its body when the method takes one.</summary>
    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path)
    {
        Content = method is "POST" or "PUT" or "PATCH" ? JsonContent.Create(new { }) : null,
    };

    /// <summary>The admin token with its signature dropped and its header saying alg "none".</summary>
    private static string UnsignedToken()
    {
        var parts = TestTokens.Admin().Split('.');
        var header = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new { alg = "none", typ = "JWT" }))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{header}.{parts[1]}.";
    }
}
