using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Store.ServiceDefaults;

namespace Store.Testing;

/// <summary>
/// Mints access tokens shaped like the users service's (RS256, sub, name, email, role, iss, aud, exp)
/// with a key made for this test run. A service under test trusts it through <see cref="Jwks"/>.
/// </summary>
public static class TestTokens
{
    public const string Issuer = "store-users";
    public const string Audience = "store-api";

    private static readonly RsaSecurityKey Key = NewKey("test-key");

    /// <summary>The public half of the test key, as a JWKS document (for the Auth:Jwks setting).</summary>
    public static string Jwks { get; } = JwksOf(Key);

    public static string Admin(int id = 1, string name = "admin") => For(id, name, Roles.Admin);

    public static string User(int id = 2, string name = "alice") => For(id, name, Roles.User);

    /// <summary>A token; every part can be made wrong to test that it is refused (<paramref name="subject"/>: a sub other than the id).</summary>
    public static string For(
        int id, string name, string role,
        string issuer = Issuer, string audience = Audience,
        DateTime? expires = null, SecurityKey? signingKey = null, string? subject = null)
    {
        var now = DateTime.UtcNow;
        var notBefore = expires is { } e && e < now ? e.AddMinutes(-10) : now;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires ?? now.AddMinutes(10),
            Subject = new ClaimsIdentity(
            [
                new Claim("sub", subject ?? id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim("name", name),
                new Claim("email", $"{name}@example.com"),
                new Claim("role", role),
            ]),
            SigningCredentials = new SigningCredentials(signingKey ?? Key, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>An RSA key the services do not trust.</summary>
    public static RsaSecurityKey NewKey(string keyId) => new(RSA.Create(2048)) { KeyId = keyId };

    private static string JwksOf(RsaSecurityKey key)
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(key);
        return JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = jwk.Kid, n = jwk.N, e = jwk.E } },
        });
    }
}
