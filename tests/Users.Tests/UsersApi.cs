using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Store.ServiceDefaults;
using Store.Testing;
using Store.Users.Auth;
using Store.Users.Data;

namespace Store.Users.Tests;

/// <summary>
/// The users service on a database of its own, one per test class, signing with a key made for this
/// test run and creating <see cref="AdminUsername"/> as its first admin. Unlike the other services'
/// fixtures it does not trust <see cref="TestTokens"/>: it validates only the tokens it issues.
/// </summary>
public class UsersApi() : ServiceFactory<UsersDb>("users")
{
    public const string AdminUsername = "root";
    public const string AdminPassword = "root-password-1";
    public const string Password = "correct horse battery";

    public static readonly JsonSerializerOptions Json = CreateJson();

    /// <summary>The signing key every UsersApi of this run is configured with, as PEM.</summary>
    public static readonly string SigningKeyPem = NewKeyPem();

    /// <summary>The same key as the service sees it, with its key id: for minting tokens it should refuse.</summary>
    public static readonly RsaSecurityKey SigningKey = KeyOf(SigningKeyPem);

    private Task<string>? _adminToken;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Jwt:SigningKey", SigningKeyPem);
        builder.UseSetting("Admin:Username", AdminUsername);
        builder.UseSetting("Admin:Password", AdminPassword);
        builder.UseSetting("Admin:Email", "root@store.example");
    }

    public static string NewKeyPem()
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>A PEM key with the key id the service gives it (its RFC 7638 thumbprint).</summary>
    public static RsaSecurityKey KeyOf(string pem)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        var key = new RsaSecurityKey(rsa.ExportParameters(true));
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return key;
    }

    public static string PublicPem(string pem)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return rsa.ExportSubjectPublicKeyInfoPem();
    }

    /// <summary>A username no other test uses.</summary>
    public static string UniqueName(string prefix = "u") => $"{prefix}{Guid.NewGuid():N}"[..24];

    /// <summary>Registers a new account with a unique name (and <see cref="Password"/> unless given).</summary>
    public async Task<UserResponse> RegisterAsync(string? username = null, string password = Password, string? fullName = null)
    {
        username ??= UniqueName();
        using var client = Anonymous();
        using var response = await client.PostAsJsonAsync("/api/users",
            new { username, email = $"{username}@example.com", full_name = fullName, password }, Json);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<UserResponse>(Json))!;
    }

    /// <summary>POST /api/auth/token with the form fields given.</summary>
    public async Task<HttpResponseMessage> RequestTokenAsync(params (string Name, string Value)[] fields)
    {
        using var client = Anonymous();
        using var form = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));
        return await client.PostAsync("/api/auth/token", form);
    }

    /// <summary>Logs in and returns the access token.</summary>
    public async Task<string> TokenAsync(string username, string password = Password)
    {
        using var response = await RequestTokenAsync(("grant_type", "password"), ("username", username), ("password", password));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(Json))!.AccessToken;
    }

    /// <summary>The first admin's token, fetched once per fixture.</summary>
    public Task<string> AdminTokenAsync() =>
        LazyInitializer.EnsureInitialized(ref _adminToken, () => TokenAsync(AdminUsername, AdminPassword));

    public async Task<HttpClient> AsRealAdminAsync() => ClientWith(await AdminTokenAsync());

    /// <summary>A new account and a client logged in as it.</summary>
    public async Task<(UserResponse User, HttpClient Client)> NewUserAsync(string? fullName = null)
    {
        var user = await RegisterAsync(fullName: fullName);
        return (user, ClientWith(await TokenAsync(user.Username)));
    }

    /// <summary>Runs <paramref name="work"/> on the service's own database context.</summary>
    public async Task<T> InDatabaseAsync<T>(Func<UsersDb, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<UsersDb>());
    }

    public Task<User> StoredUserAsync(int id) => InDatabaseAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == id));

    public Task DeactivateAsync(int id) =>
        InDatabaseAsync(db => db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(set => set.SetProperty(u => u.IsActive, false)));

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ServiceDefaultsExtensions.ConfigureJson(options);
        return options;
    }
}

public static class HttpAssertions
{
    /// <summary>Asserts an RFC 9457 problem of <paramref name="status"/> and returns it.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), "a problem without a detail");
        return problem;
    }

    /// <summary>Asserts a 422 whose errors name exactly <paramref name="field"/>.</summary>
    public static async Task AssertInvalidFieldAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        var errors = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Equal([field], errors);
    }

    public static void AssertBearerChallenge(this HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
