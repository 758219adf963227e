using System.Net;
using Store.ServiceDefaults;
using Store.Testing;

namespace Store.Users.Tests.Auth;

/// <summary>The users service accepts only its own, current, well-formed tokens of users that still exist and are active.</summary>
public sealed class RejectedTokenTests(UsersApi api) : IClassFixture<UsersApi>
{
    private async Task<HttpResponseMessage> GetMeAsync(string token)
    {
        using var client = api.ClientWith(token);
        return await client.GetAsync("/api/users/me");
    }

    [Fact]
    public async Task A_token_made_the_way_the_bad_ones_are_but_without_a_defect_is_accepted()
    {
        var user = await api.RegisterAsync();

        using var response = await GetMeAsync(BadTokens.Valid(user.Id, user.Username, Roles.User));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(BadTokens.Kinds), MemberType = typeof(BadTokens))]
    public async Task A_bad_token_is_401_with_a_bearer_challenge(string kind)
    {
        var user = await api.RegisterAsync();

        using var response = await GetMeAsync(BadTokens.Make(kind, user.Id, user.Username, Roles.User));

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"a token {kind} answered {(int)response.StatusCode}");
        response.AssertBearerChallenge();
    }

    [Fact]
    public async Task A_deleted_users_token_stops_working_at_once()
    {
        var (user, client) = await api.NewUserAsync();
        using (client)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/users/me")).StatusCode);
            using var admin = await api.AsRealAdminAsync();
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/users/{user.Id}")).StatusCode);

            using var response = await client.GetAsync("/api/users/me");

            response.AssertBearerChallenge();
        }
    }

    [Fact]
    public async Task A_deactivated_users_token_stops_working_at_once()
    {
        var (user, client) = await api.NewUserAsync();
        using (client)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/users/me/settings")).StatusCode);
            await api.DeactivateAsync(user.Id);

            using var response = await client.GetAsync("/api/users/me/settings");

            response.AssertBearerChallenge();
        }
    }

    [Fact]
    public async Task A_well_signed_token_for_an_account_that_does_not_exist_is_401()
    {
        using var response = await GetMeAsync(BadTokens.Valid(int.MaxValue, "nobody", Roles.Admin));

        response.AssertBearerChallenge();
    }

    [Fact]
    public async Task A_well_signed_token_whose_subject_is_not_a_user_id_is_refused_not_a_500()
    {
        using var client = api.ClientWith(TestTokens.For(1, "a service", Roles.Admin, signingKey: UsersApi.SigningKey, subject: "service-account"));

        foreach (var path in new[] { "/api/users/me", "/api/users/me/settings", "/api/users/1" })
        {
            using var response = await client.GetAsync(path);

            Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{path} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Anonymous_endpoints_still_answer_when_a_rejected_token_is_sent()
    {
        using var client = api.ClientWith(BadTokens.Make("expired", 1, "someone", Roles.User));

        using var response = await client.GetAsync("/.well-known/jwks.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
