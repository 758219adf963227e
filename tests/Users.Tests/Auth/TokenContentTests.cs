using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Store.Users.Tests.Auth;

/// <summary>What an access token says (docs/contract.md): RS256, sub, name, email, role, iss, aud, exp, and the key id.</summary>
public sealed class TokenContentTests(UsersApi api) : IClassFixture<UsersApi>
{
    [Fact]
    public async Task A_users_token_carries_its_identity_role_issuer_audience_and_expiry()
    {
        var user = await api.RegisterAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var token = new JsonWebToken(await api.TokenAsync(user.Username));

        Assert.Equal("RS256", token.Alg);
        Assert.Equal(UsersApi.SigningKey.KeyId, token.Kid);
        Assert.Equal(user.Id.ToString(CultureInfo.InvariantCulture), token.Subject);
        Assert.Equal(user.Username, token.GetClaim("name").Value);
        Assert.Equal(user.Email, token.GetClaim("email").Value);
        Assert.Equal("user", token.GetClaim("role").Value);
        Assert.Equal("store-users", token.Issuer);
        Assert.Equal(["store-api"], token.Audiences);
        Assert.InRange(token.ValidTo, before.UtcDateTime.AddMinutes(60), DateTime.UtcNow.AddMinutes(60).AddSeconds(1));
        Assert.Equal(TimeSpan.FromMinutes(60), token.ValidTo - token.IssuedAt);
    }

    [Fact]
    public async Task The_admins_token_says_role_admin()
    {
        var token = new JsonWebToken(await api.AdminTokenAsync());

        Assert.Equal("admin", token.GetClaim("role").Value);
        Assert.Equal(UsersApi.AdminUsername, token.GetClaim("name").Value);
    }

    [Fact]
    public async Task The_lifetime_follows_the_setting()
    {
        await using var shortLived = api.WithWebHostBuilder(builder => builder.UseSetting("Jwt:AccessTokenMinutes", "5"));
        var user = await api.RegisterAsync();
        using var client = shortLived.CreateClient();
        using var form = new FormUrlEncodedContent([new("username", user.Username), new("password", UsersApi.Password)]);

        using var response = await client.PostAsync("/api/auth/token", form);

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(300, body.GetProperty("expires_in").GetInt32());
        var token = new JsonWebToken(body.GetProperty("access_token").GetString());
        Assert.Equal(TimeSpan.FromMinutes(5), token.ValidTo - token.IssuedAt);
    }

    [Fact]
    public async Task Each_token_has_its_own_id()
    {
        var user = await api.RegisterAsync();

        var first = new JsonWebToken(await api.TokenAsync(user.Username));
        var second = new JsonWebToken(await api.TokenAsync(user.Username));

        Assert.NotEqual(first.Id, second.Id);
    }
}
