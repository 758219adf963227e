using System.Net;
using System.Net.Http.Json;
using Store.ServiceDefaults;

namespace Store.Users.Tests.Auth;

/// <summary>
/// The items service, configured with the users service's JWKS URL, accepts the tokens the users
/// service issues (and applies their role), and refuses the same bad tokens the users service does.
/// </summary>
public sealed class ItemsTrustTests(UsersAndItems services) : IClassFixture<UsersAndItems>
{
    private static readonly object NewItem = new { name = "Trusted lamp", price = 12.5m, stock = 3 };

    private async Task<HttpResponseMessage> CreateItemAsync(string token)
    {
        using var items = services.Items.ClientWith(token);
        return await items.PostAsJsonAsync("/api/items", NewItem);
    }

    [Fact]
    public async Task The_users_service_really_listens_on_a_port_and_publishes_its_keys_there()
    {
        using var http = new HttpClient { BaseAddress = services.Users.BaseAddress };

        var jwks = await http.GetStringAsync("/.well-known/jwks.json");

        Assert.Contains(UsersApi.SigningKey.KeyId, jwks, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Items_accepts_an_admin_token_issued_by_the_users_service()
    {
        var token = await services.Users.AdminTokenAsync();

        using var response = await CreateItemAsync(token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Items_applies_the_role_of_a_user_token_issued_by_the_users_service()
    {
        var user = await services.Users.RegisterAsync();
        var token = await services.Users.TokenAsync(user.Username);

        using var response = await CreateItemAsync(token);

        // Authenticated (not 401) but not an admin.
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Items_accepts_a_token_made_like_the_bad_ones_but_without_a_defect()
    {
        using var response = await CreateItemAsync(BadTokens.Valid(1, UsersApi.AdminUsername, Roles.Admin));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(BadTokens.Kinds), MemberType = typeof(BadTokens))]
    public async Task Items_refuses_a_bad_token_with_401(string kind)
    {
        using var response = await CreateItemAsync(BadTokens.Make(kind, 1, UsersApi.AdminUsername, Roles.Admin));

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"a token {kind} answered {(int)response.StatusCode}");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }
}
