using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Store.ServiceDefaults;
using Store.Testing;

namespace Store.Items.Tests.Catalog;

/// <summary>Who may call what (docs/contract.md): reads are anonymous, changes are for admins.</summary>
public sealed class CatalogAuthorizationTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private static readonly object ValidItem = new { name = "Guarded", price = 1m, stock = 1 };

    public static TheoryData<string, string> AdminRoutes() => new()
    {
        { "POST", "/api/items" },
        { "PUT", "/api/items/{id}" },
        { "PATCH", "/api/items/{id}" },
        { "DELETE", "/api/items/{id}" },
    };

    private async Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string route)
    {
        var item = await api.CreateItemAsync(ValidItem);
        using var request = new HttpRequestMessage(new HttpMethod(method), route.Replace("{id}", item.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (method != "DELETE")
            request.Content = JsonContent.Create(ValidItem);
        return await client.SendAsync(request);
    }

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task Without_a_token_an_admin_route_is_401_with_a_bearer_challenge(string method, string route)
    {
        using var client = api.Anonymous();

        using var response = await SendAsync(client, method, route);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task With_a_user_token_an_admin_route_is_403(string method, string route)
    {
        using var client = api.AsUser();

        using var response = await SendAsync(client, method, route);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task With_an_admin_token_an_admin_route_succeeds(string method, string route)
    {
        using var client = api.AsAdmin();

        using var response = await SendAsync(client, method, route);

        Assert.True(response.IsSuccessStatusCode, $"{method} {route} answered {(int)response.StatusCode}");
    }

    [Theory]
    [InlineData("/api/items")]
    [InlineData("/api/items/{id}")]
    public async Task Reads_need_no_token(string route)
    {
        using var client = api.Anonymous();
        using var response = await SendAsync(client, "GET", route);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, string> BadTokens() => new()
    {
        { "signed by another key", TestTokens.For(1, "admin", Roles.Admin, signingKey: TestTokens.NewKey("test-key")) },
        { "expired", TestTokens.For(1, "admin", Roles.Admin, expires: DateTime.UtcNow.AddMinutes(-5)) },
        { "wrong issuer", TestTokens.For(1, "admin", Roles.Admin, issuer: "someone-else") },
        { "wrong audience", TestTokens.For(1, "admin", Roles.Admin, audience: "another-api") },
        { "alg none", UnsignedToken() },
        { "not a token", "garbage" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_401(string why, string token)
    {
        using var client = api.ClientWith(token);

        using var response = await client.PostAsJsonAsync("/api/items", ValidItem);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"a token {why} answered {(int)response.StatusCode}");
    }

    /// <summary>The admin token with its signature dropped and its header saying alg "none".</summary>
    private static string UnsignedToken()
    {
        var parts = TestTokens.Admin().Split('.');
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "none", typ = "JWT" }));
        return $"{header}.{parts[1]}.";
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
