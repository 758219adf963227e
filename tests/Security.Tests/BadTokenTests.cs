using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Store.Testing;

namespace Store.Security.Tests;

/// <summary>
/// Tokens that must not pass, on protected routes through the gateway and directly at each service:
/// each is 401 problem with WWW-Authenticate: Bearer, never 2xx, never 5xx. The wrong claims are
/// signed with the users service's real key (<see cref="Suite.SigningKeyFile"/>), so only the claim
/// is wrong; a control token with the right claims and that key must pass.
/// </summary>
[Collection(SharedSuite.Name)]
public sealed class BadTokenTests(SecuritySuite suite)
{
    private sealed record GeneratedKey(string PrivateKey);

    private (RSA Key, string KeyId) RealKey()
    {
        var file = JsonSerializer.Deserialize<GeneratedKey>(File.ReadAllText(suite.SigningKeyFile))!;
        var rsa = RSA.Create();
        rsa.ImportFromPem(file.PrivateKey);
        return (rsa, KeyIdOf(rsa));
    }

    /// <summary>The users service's key id: the base64url RFC 7638 thumbprint of the public key.</summary>
    private static string KeyIdOf(RSA rsa)
    {
        var key = rsa.ExportParameters(false);
        var canonical = $$"""{"e":"{{Base64Url.EncodeToString(key.Exponent)}}","kty":"RSA","n":"{{Base64Url.EncodeToString(key.Modulus)}}"}""";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static string Part(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString()));

    private static string Rs256(RSA key, string signed) =>
        Base64Url.EncodeToString(key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    private JsonObject Claims(Action<JsonObject>? change = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["sub"] = suite.Admin.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["name"] = suite.Admin.Username,
            ["email"] = "admin@example.com",
            ["role"] = "admin",
            ["iss"] = "store-users",
            ["aud"] = "store-api",
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 600,
        };
        change?.Invoke(claims);
        return claims;
    }

    private static string Signed(RSA key, string keyId, JsonObject claims, string alg = "RS256")
    {
        var signed = $"{Part(new JsonObject { ["alg"] = alg, ["kid"] = keyId, ["typ"] = "JWT" })}.{Part(claims)}";
        return $"{signed}.{Rs256(key, signed)}";
    }

    /// <summary>Every token that must be refused, by name.</summary>
    private IEnumerable<(string Name, string Token)> BadTokens()
    {
        var (key, keyId) = RealKey();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var good = Signed(key, keyId, Claims());
        var parts = good.Split('.');

        yield return ("payload tampered (sub changed, signature kept)", $"{parts[0]}.{Part(Claims(c => { c["sub"] = "999999"; c["name"] = "someone-else"; }))}.{parts[2]}");
        yield return ("signature tampered", $"{parts[0]}.{parts[1]}.{(parts[2][0] == 'A' ? 'B' : 'A')}{parts[2][1..]}");
        yield return ("signature cut off", $"{parts[0]}.{parts[1]}.");
        yield return ("signature of another token", $"{parts[0]}.{parts[1]}.{Signed(key, keyId, Claims(c => c["name"] = "x")).Split('.')[2]}");
        yield return ("expired", Signed(key, keyId, Claims(c => { c["iat"] = now - 7200; c["nbf"] = now - 7200; c["exp"] = now - 3600; })));
        yield return ("not yet valid", Signed(key, keyId, Claims(c => { c["nbf"] = now + 3600; c["exp"] = now + 7200; })));
        yield return ("no expiry", Signed(key, keyId, Claims(c => c.Remove("exp"))));
        yield return ("wrong issuer", Signed(key, keyId, Claims(c => c["iss"] = "evil-users")));
        yield return ("no issuer", Signed(key, keyId, Claims(c => c.Remove("iss"))));
        yield return ("wrong audience", Signed(key, keyId, Claims(c => c["aud"] = "other-api")));
        yield return ("no audience", Signed(key, keyId, Claims(c => c.Remove("aud"))));
        yield return ("alg none", $"{Part(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" })}.{parts[1]}.");
        yield return ("alg none with the kid", $"{Part(new JsonObject { ["alg"] = "none", ["kid"] = keyId, ["typ"] = "JWT" })}.{parts[1]}.");
        var publicPem = Encoding.ASCII.GetBytes(key.ExportSubjectPublicKeyInfoPem());
        var hsSigned = $"{Part(new JsonObject { ["alg"] = "HS256", ["kid"] = keyId, ["typ"] = "JWT" })}.{parts[1]}";
        yield return ("HS256 with the public key (PEM)", $"{hsSigned}.{Base64Url.EncodeToString(HMACSHA256.HashData(publicPem, Encoding.ASCII.GetBytes(hsSigned)))}");
        var modulus = key.ExportParameters(false).Modulus!;
        yield return ("HS256 with the public key (modulus)", $"{hsSigned}.{Base64Url.EncodeToString(HMACSHA256.HashData(modulus, Encoding.ASCII.GetBytes(hsSigned)))}");
        using var unknown = RSA.Create(2048);
        yield return ("unknown RSA key, the real key id", Signed(unknown, keyId, Claims()));
        yield return ("unknown RSA key, its own key id", Signed(unknown, KeyIdOf(unknown), Claims()));
        yield return ("RS512 by the real key named RS256", Signed(key, keyId, Claims(), alg: "RS512"));
        yield return ("garbage", "not-a-token");
        yield return ("garbage with dots", "a.b.c");
        yield return ("empty parts", "..");
        yield return ("long garbage", new string('x', 4000));
        yield return ("JSON instead of base64", """{"alg":"none"}.{"role":"admin"}.""");
    }

    private IEnumerable<(string Where, Func<string, HttpClient> Client, HttpMethod Method, string Path)> ProtectedRoutes()
    {
        HttpClient ViaGateway(string token) => suite.GatewayClient(token);
        Func<string, HttpClient> Direct(ServiceProcess service) => token => suite.DirectClient(service, token);
        return
        [
            ("gateway", ViaGateway, HttpMethod.Get, "/api/users/me"),
            ("gateway", ViaGateway, HttpMethod.Get, "/api/users"),
            ("gateway", ViaGateway, HttpMethod.Post, "/api/items"),
            ("gateway", ViaGateway, HttpMethod.Get, "/api/orders"),
            ("gateway", ViaGateway, HttpMethod.Get, "/api/audit"),
            ("gateway", ViaGateway, HttpMethod.Get, "/api/notifications/me"),
            ("users", Direct(suite.Users), HttpMethod.Get, "/api/users/me"),
            ("users", Direct(suite.Users), HttpMethod.Get, "/api/users"),
            ("items", Direct(suite.Items), HttpMethod.Post, "/api/items"),
            ("items", Direct(suite.Items), HttpMethod.Get, "/api/orders"),
            ("audit", Direct(suite.AuditLog), HttpMethod.Get, "/api/audit"),
            ("notifications", Direct(suite.Notifications), HttpMethod.Get, "/api/notifications"),
        ];
    }

    private static HttpRequestMessage Request(HttpMethod method, string path) => new(method, path)
    {
        Content = method == HttpMethod.Post ? new StringContent("""{"name": "Bad token item", "price": 1}""", Encoding.UTF8, "application/json") : null,
    };

    [Fact]
    public async Task A_token_with_the_right_claims_signed_by_the_real_key_passes_everywhere()
    {
        var (key, keyId) = RealKey();
        var token = Signed(key, keyId, Claims());
        foreach (var (where, client, method, path) in ProtectedRoutes())
        {
            using var http = client(token);
            using var request = Request(method, path);
            using var response = await http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"{method} {path} at {where}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Every_bad_token_is_401_problem_through_the_gateway_and_at_each_service()
    {
        var snapshot = await suite.SnapshotAsync();
        var failures = new List<string>();
        var checks = 0;
        foreach (var (name, token) in BadTokens())
        {
            foreach (var (where, client, method, path) in ProtectedRoutes())
            {
                using var http = client(token);
                using var request = Request(method, path);
                using var response = await http.SendAsync(request);
                checks++;
                if (response.StatusCode != HttpStatusCode.Unauthorized)
                    failures.Add($"{name}: {method} {path} at {where} answered {(int)response.StatusCode}");
                else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    failures.Add($"{name}: {method} {path} at {where}: 401 as {response.Content.Headers.ContentType}, not a problem");
                else if (!response.Headers.WwwAuthenticate.Any(h => h.Scheme == "Bearer"))
                    failures.Add($"{name}: {method} {path} at {where}: 401 without WWW-Authenticate: Bearer");
            }
        }
        suite.CountBadTokens(checks);
        Assert.True(failures.Count == 0, $"{failures.Count} of {checks} checks failed:\n{string.Join('\n', failures)}");
        Assert.Equal(snapshot, await suite.SnapshotAsync());
    }
}
