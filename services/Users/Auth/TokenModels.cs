using System.ComponentModel;

namespace Store.Users.Auth;

/// <summary>
/// The token request (RFC 6749 section 4.3), sent as <c>application/x-www-form-urlencoded</c>.
/// Described here for the OpenAPI document; the endpoint reads the form itself so that every
/// failure is answered in the RFC's error format.
/// </summary>
public sealed record TokenRequest
{
    [Description("\"password\"; may be left out.")]
    public string? GrantType { get; init; }

    public required string Username { get; init; }

    public required string Password { get; init; }

    [Description("Ignored: the token carries the user's role instead.")]
    public string? Scope { get; init; }

    [Description("Ignored: any client may use the password grant.")]
    public string? ClientId { get; init; }
}

/// <summary>A successful token response (RFC 6749 section 5.1).</summary>
/// <param name="AccessToken">The JWT to send as <c>Authorization: Bearer ...</c>.</param>
/// <param name="TokenType">Always "bearer".</param>
/// <param name="ExpiresIn">Seconds until the token expires.</param>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

/// <summary>A failed token request (RFC 6749 section 5.2).</summary>
/// <param name="Error">invalid_request, invalid_grant or unsupported_grant_type.</param>
/// <param name="ErrorDescription">What was wrong, for a person to read.</param>
public sealed record TokenError(string Error, string ErrorDescription);

/// <summary>A JSON Web Key Set (RFC 7517): the public keys tokens are signed with.</summary>
public sealed record JsonWebKeySetResponse(IReadOnlyList<PublicJsonWebKey> Keys);

/// <summary>An RSA public key: modulus <c>n</c> and exponent <c>e</c>, base64url.</summary>
public sealed record PublicJsonWebKey(string Kty, string Use, string Alg, string Kid, string N, string E);
