using System.Globalization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Store.ServiceDefaults;
using Store.Users.Data;

namespace Store.Users.Auth;

/// <summary>
/// Access tokens: RS256 JWTs with <c>sub</c> (the user id), <c>name</c>, <c>email</c>, <c>role</c>,
/// <c>iss</c> and <c>aud</c> (the same <c>Auth</c> settings every validator checks), <c>iat</c>,
/// <c>nbf</c>, <c>exp</c> and a <c>jti</c>; the header's <c>kid</c> names the signing key.
/// </summary>
public sealed class TokenIssuer(SigningKeys keys, IOptions<AuthOptions> auth, IOptions<JwtOptions> jwt, TimeProvider clock)
{
    private static readonly JsonWebTokenHandler Handler = new();

    public TimeSpan Lifetime => TimeSpan.FromMinutes(jwt.Value.AccessTokenMinutes);

    public string Issue(User user)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Value.Issuer,
            Audience = auth.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = user.Id.ToString(CultureInfo.InvariantCulture),
                ["name"] = user.Username,
                ["email"] = user.Email,
                ["role"] = user.Role == UserRole.Admin ? Roles.Admin : Roles.User,
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
            SigningCredentials = keys.Credentials,
        });
    }
}
