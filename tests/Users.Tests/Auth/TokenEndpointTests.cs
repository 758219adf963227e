using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Store.Users.Data;
using Store.Users.Auth;

namespace Store.Users.Tests.Auth;

/// <summary>POST /api/auth/token answers as RFC 6749 says, for every way a request can be right or wrong.</summary>
public sealed class TokenEndpointTests(UsersApi api) : IClassFixture<UsersApi>
{
    private static async Task<TokenError> AssertTokenErrorAsync(HttpResponseMessage response, string error)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var body = (await response.Content.ReadFromJsonAsync<TokenError>(UsersApi.Json))!;
        Assert.Equal(error, body.Error);
        Assert.False(string.IsNullOrWhiteSpace(body.ErrorDescription));
        return body;
    }

    [Fact]
    public async Task A_right_password_gets_a_bearer_token_that_is_never_cached()
    {
        var user = await api.RegisterAsync();

        using var response = await api.RequestTokenAsync(("grant_type", "password"), ("username", user.Username), ("password", UsersApi.Password));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("no-cache", response.Headers.Pragma.ToString());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.GetProperty("expires_in").GetInt32());
        Assert.Equal(3, body.GetProperty("access_token").GetString()!.Split('.').Length);
    }

    [Fact]
    public async Task Grant_type_may_be_left_out_and_the_username_is_matched_ignoring_case()
    {
        var user = await api.RegisterAsync(UsersApi.UniqueName("MiXeD"));

        using var response = await api.RequestTokenAsync(("username", user.Username.ToUpperInvariant()), ("password", UsersApi.Password));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_user_get_the_same_400_invalid_grant()
    {
        var user = await api.RegisterAsync();

        using var wrongPassword = await api.RequestTokenAsync(("grant_type", "password"), ("username", user.Username), ("password", "not the password"));
        using var unknownUser = await api.RequestTokenAsync(("grant_type", "password"), ("username", UsersApi.UniqueName("ghost")), ("password", "not the password"));

        var wrong = await AssertTokenErrorAsync(wrongPassword, "invalid_grant");
        var unknown = await AssertTokenErrorAsync(unknownUser, "invalid_grant");
        Assert.Equal(wrong, unknown);
        Assert.Equal(await wrongPassword.Content.ReadAsStringAsync(), await unknownUser.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_deactivated_user_cannot_log_in_even_with_the_right_password()
    {
        var user = await api.RegisterAsync();
        await api.DeactivateAsync(user.Id);

        using var response = await api.RequestTokenAsync(("username", user.Username), ("password", UsersApi.Password));

        await AssertTokenErrorAsync(response, "invalid_grant");
    }

    [Theory]
    [InlineData("client_credentials")]
    [InlineData("authorization_code")]
    [InlineData("")]
    public async Task Another_grant_type_is_unsupported_grant_type(string grantType)
    {
        var user = await api.RegisterAsync();

        using var response = await api.RequestTokenAsync(("grant_type", grantType), ("username", user.Username), ("password", UsersApi.Password));

        await AssertTokenErrorAsync(response, "unsupported_grant_type");
    }

    [Theory]
    [InlineData("username")]
    [InlineData("password")]
    public async Task A_missing_or_empty_username_or_password_is_invalid_request(string left)
    {
        (string, string)[] fields = left == "username" ? [("password", UsersApi.Password)] : [("username", "someone")];
        (string, string)[] empty = left == "username" ? [("username", ""), ("password", UsersApi.Password)] : [("username", "someone"), ("password", "")];

        using var missing = await api.RequestTokenAsync(fields);
        using var blank = await api.RequestTokenAsync(empty);

        await AssertTokenErrorAsync(missing, "invalid_request");
        await AssertTokenErrorAsync(blank, "invalid_request");
    }

    [Fact]
    public async Task A_repeated_parameter_is_invalid_request()
    {
        var user = await api.RegisterAsync();

        using var response = await api.RequestTokenAsync(("username", user.Username), ("password", "guess one"), ("password", UsersApi.Password));

        await AssertTokenErrorAsync(response, "invalid_request");
    }

    [Fact]
    public async Task A_request_without_a_body_is_invalid_request()
    {
        using var client = api.Anonymous();

        using var response = await client.PostAsync("/api/auth/token", null);

        await AssertTokenErrorAsync(response, "invalid_request");
    }

    [Fact]
    public async Task A_json_body_is_415_like_any_other_wrong_content_type()
    {
        var user = await api.RegisterAsync();
        using var client = api.Anonymous();

        using var response = await client.PostAsJsonAsync("/api/auth/token", new { username = user.Username, password = UsersApi.Password });

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    /// <summary>
    /// What Swagger UI's Authorize dialog posts for the password flow: grant_type, an empty scope,
    /// and the (empty) client credentials in a Basic header or in the body, as chosen in the dialog.
    /// It then sends the token as "Bearer".
    /// </summary>
    [Theory]
    [InlineData("client credentials in a Basic header")]
    [InlineData("client credentials in the body")]
    public async Task The_form_Swagger_UI_sends_logs_in_and_its_token_opens_protected_endpoints(string variant)
    {
        var user = await api.RegisterAsync();
        using var client = api.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token");
        var form = $"grant_type=password&scope=&username={Uri.EscapeDataString(user.Username)}&password={Uri.EscapeDataString(UsersApi.Password)}";
        if (variant.EndsWith("body", StringComparison.Ordinal))
            form += "&client_id=&client_secret=";
        else
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(":")));
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        request.Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<TokenResponse>(UsersApi.Json))!;
        using var authorized = api.ClientWith(token.AccessToken);
        var me = await authorized.GetFromJsonAsync<UserResponse>("/api/users/me", UsersApi.Json);
        Assert.Equal(user.Id, me!.Id);
    }
}
