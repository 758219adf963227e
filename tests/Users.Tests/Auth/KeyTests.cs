using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Store.Users.Auth;
using Store.Users.Data;

namespace Store.Users.Tests.Auth;

/// <summary>
/// The signing keys: the JWKS publishes the public halves only; a rotation keeps the previous key
/// published and accepted; development generates a key once and keeps it; production without a
/// key refuses to start.
/// </summary>
public sealed class KeyTests(UsersApi api) : IClassFixture<UsersApi>
{
    private static async Task<JsonElement[]> KeysOfAsync(WebApplicationFactory<UsersDb> service)
    {
        using var client = service.CreateClient();
        using var response = await client.GetAsync("/.well-known/jwks.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var jwks = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. jwks.GetProperty("keys").EnumerateArray()];
    }

    private static async Task<string> TokenFromAsync(WebApplicationFactory<UsersDb> service, string username)
    {
        using var client = service.CreateClient();
        using var form = new FormUrlEncodedContent([new("username", username), new("password", UsersApi.Password)]);
        using var response = await client.PostAsync("/api/auth/token", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private static async Task<HttpStatusCode> MeStatusAsync(WebApplicationFactory<UsersDb> service, string token)
    {
        using var client = service.CreateClient();
        client.DefaultRequestHeaders.Authorization = HttpAssertions.Bearer(token);
        using var response = await client.GetAsync("/api/users/me");
        return response.StatusCode;
    }

    [Fact]
    public async Task The_jwks_publishes_the_public_half_of_the_signing_key_only()
    {
        var keys = await KeysOfAsync(api);

        var key = Assert.Single(keys);
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.Equal("RS256", key.GetProperty("alg").GetString());
        Assert.Equal(UsersApi.SigningKey.KeyId, key.GetProperty("kid").GetString());
        Assert.Equal(Base64UrlEncoder.Encode(UsersApi.SigningKey.Parameters.Modulus), key.GetProperty("n").GetString());
        Assert.Equal(Base64UrlEncoder.Encode(UsersApi.SigningKey.Parameters.Exponent), key.GetProperty("e").GetString());
        var names = key.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Empty(names.Intersect(["d", "p", "q", "dp", "dq", "qi"]));
    }

    [Fact]
    public async Task During_a_rotation_the_previous_key_stays_published_and_its_tokens_keep_working()
    {
        var user = await api.RegisterAsync();
        var oldToken = await api.TokenAsync(user.Username);
        var newKeyPem = UsersApi.NewKeyPem();
        var newKey = UsersApi.KeyOf(newKeyPem);
        await using var rotated = api.WithWebHostBuilder(builder => builder
            .UseSetting("Jwt:SigningKey", newKeyPem)
            .UseSetting("Jwt:PreviousKeys:0", UsersApi.PublicPem(UsersApi.SigningKeyPem)));

        var kids = (await KeysOfAsync(rotated)).Select(k => k.GetProperty("kid").GetString()).ToList();
        var newToken = await TokenFromAsync(rotated, user.Username);

        Assert.Equal([newKey.KeyId, UsersApi.SigningKey.KeyId], kids);
        Assert.Equal(newKey.KeyId, new JsonWebToken(newToken).Kid);
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(rotated, oldToken));
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(rotated, newToken));
    }

    [Fact]
    public async Task A_key_no_longer_listed_no_longer_validates()
    {
        var user = await api.RegisterAsync();
        var oldToken = await api.TokenAsync(user.Username);
        await using var replaced = api.WithWebHostBuilder(builder => builder.UseSetting("Jwt:SigningKey", UsersApi.NewKeyPem()));

        Assert.Single(await KeysOfAsync(replaced));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeStatusAsync(replaced, oldToken));
    }

    [Theory]
    [InlineData("Development", null)]
    [InlineData("Testing", "true")]
    public async Task Without_a_configured_key_a_generated_one_is_kept_in_a_file_and_reused(string environment, string? generateKey)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"users-keys-{Guid.NewGuid():N}");
        var keyFile = Path.Combine(directory, "signing.dev-key.json");
        try
        {
            WebApplicationFactory<UsersDb> Start() => api.WithWebHostBuilder(builder =>
            {
                builder.UseEnvironment(environment)
                    .UseSetting("Jwt:SigningKey", "")
                    .UseSetting("Jwt:GeneratedKeyFile", keyFile);
                if (generateKey is not null)
                    builder.UseSetting("Jwt:GenerateKey", generateKey);
            });
            var user = await api.RegisterAsync();

            string firstKid, token;
            await using (var first = Start())
            {
                firstKid = Assert.Single(await KeysOfAsync(first)).GetProperty("kid").GetString()!;
                token = await TokenFromAsync(first, user.Username);
            }
            await using var second = Start();
            var secondKid = Assert.Single(await KeysOfAsync(second)).GetProperty("kid").GetString();

            Assert.True(File.Exists(keyFile));
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            Assert.NotEqual(UsersApi.SigningKey.KeyId, firstKid);
            Assert.Equal(firstKid, secondKid);
            Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(second, token));
        }
        finally
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }

    // When a host fails to start, WebApplicationFactory may report an ObjectDisposedException
    // instead of the cause (dotnet/aspnetcore#33494), so the host test asserts only that it does
    // not start, and the reasons are checked on SigningKeys.Load itself.
    [Fact]
    public void Outside_development_the_service_does_not_start_without_a_signing_key()
    {
        using var keyless = api.WithWebHostBuilder(builder => builder.UseSetting("Jwt:SigningKey", ""));

        Assert.NotNull(Record.Exception(() => keyless.CreateClient()));
    }

    [Theory]
    [InlineData("no key at all", "SigningKey", "")]
    [InlineData("not PEM", "SigningKey", "not a key")]
    [InlineData("a public key only", "SigningKey", "public")]
    [InlineData("a key that is too short", "SigningKey", "short")]
    [InlineData("a previous key that is not PEM", "PreviousKeys", "not a key")]
    public void An_unusable_key_setting_is_refused_naming_the_setting(string why, string setting, string value)
    {
        var pem = value switch
        {
            "public" => UsersApi.PublicPem(UsersApi.SigningKeyPem),
            "short" => ShortKeyPem(),
            _ => value,
        };
        var settings = setting == "SigningKey"
            ? new JwtOptions { SigningKey = pem }
            : new JwtOptions { SigningKey = UsersApi.SigningKeyPem, PreviousKeys = [pem] };

        var failure = Record.Exception(() => SigningKeys.Load(settings, Path.GetTempPath(), isDevelopment: false, NullLogger.Instance));

        var refused = Assert.IsType<InvalidOperationException>(failure, exactMatch: false);
        Assert.True(refused.Message.Contains($"Jwt:{setting}", StringComparison.Ordinal), $"{why}: {refused.Message}");
    }

    private static string ShortKeyPem()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(1024);
        return rsa.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>
    /// infra/up.sh gives every service Auth:JwksUrl, this one too. It must not fetch it: a token's
    /// validation would otherwise try the URL first (and fall back to the keys, so the answer alone
    /// would not show it).
    /// </summary>
    [Fact]
    public async Task The_service_validates_its_own_tokens_in_process_even_when_given_a_jwks_url()
    {
        var user = await api.RegisterAsync();
        var token = await api.TokenAsync(user.Username);
        await using var withUrl = api.WithWebHostBuilder(builder => builder
            .UseSetting("Auth:Jwks", "")
            .UseSetting("Auth:JwksUrl", "http://127.0.0.1:9/.well-known/jwks.json"));   // nothing listens there

        var bearer = withUrl.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);

        Assert.Null(bearer.ConfigurationManager);
        Assert.Equal(UsersApi.SigningKey.KeyId, Assert.Single(bearer.TokenValidationParameters.IssuerSigningKeys).KeyId);
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(withUrl, token));
    }

    [Fact]
    public async Task The_jwks_of_the_running_service_validates_its_tokens()
    {
        var user = await api.RegisterAsync();
        var token = await api.TokenAsync(user.Username);
        using var client = api.Anonymous();
        var jwks = new JsonWebKeySet(await client.GetStringAsync("/.well-known/jwks.json"));

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "store-users",
            ValidAudience = "store-api",
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(user.Username, result.Claims["name"]);
    }
}
