using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Store.Testing;

namespace Store.Users.Tests.Auth;

/// <summary>
/// Tokens that look like the users service's but must be refused. Each is made for a real account
/// and, unless its defect is the key, signed with the service's own key: the one defect named is
/// the only reason to refuse it. <see cref="Valid"/> is the same recipe with no defect.
/// </summary>
public static class BadTokens
{
    public static TheoryData<string> Kinds() =>
    [
        "signed by another key under the service's key id",
        "signed by the test key the other test fixtures trust",
        "expired",
        "wrong issuer",
        "wrong audience",
        "alg none, no signature",
        "HS256 with the public key as the secret",
        "not a JWT",
    ];

    public static string Valid(int id, string name, string role) =>
        TestTokens.For(id, name, role, signingKey: UsersApi.SigningKey);

    public static string Make(string kind, int id, string name, string role) => kind switch
    {
        "signed by another key under the service's key id" =>
            TestTokens.For(id, name, role, signingKey: new RsaSecurityKey(RSA.Create(2048).ExportParameters(true)) { KeyId = UsersApi.SigningKey.KeyId }),
        "signed by the test key the other test fixtures trust" => TestTokens.For(id, name, role),
        "expired" => TestTokens.For(id, name, role, expires: DateTime.UtcNow.AddMinutes(-5), signingKey: UsersApi.SigningKey),
        "wrong issuer" => TestTokens.For(id, name, role, issuer: "someone-else", signingKey: UsersApi.SigningKey),
        "wrong audience" => TestTokens.For(id, name, role, audience: "another-api", signingKey: UsersApi.SigningKey),
        "alg none, no signature" => WithoutSignature(Valid(id, name, role)),
        "HS256 with the public key as the secret" => SignedWithPublicKeyAsSecret(id, name, role),
        "not a JWT" => "garbage",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>A valid token with its header swapped for alg "none" and its signature dropped.</summary>
    private static string WithoutSignature(string token)
    {
        var payload = token.Split('.')[1];
        var header = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(new { alg = "none", typ = "JWT" }));
        return $"{header}.{payload}.";
    }

    /// <summary>The classic key-confusion forgery: HMAC keyed with the published RSA public key.</summary>
    private static string SignedWithPublicKeyAsSecret(int id, string name, string role)
    {
        var secret = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(UsersApi.PublicPem(UsersApi.SigningKeyPem))) { KeyId = UsersApi.SigningKey.KeyId };
        var genuine = new JsonWebToken(Valid(id, name, role));
        return new JsonWebTokenHandler().CreateToken(
            Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(genuine.EncodedPayload)),
            new SigningCredentials(secret, SecurityAlgorithms.HmacSha256));
    }
}
