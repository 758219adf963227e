using System.ComponentModel.DataAnnotations;

namespace Store.ServiceDefaults;

/// <summary>Settings of the <c>Auth</c> configuration section.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The <c>iss</c> every token must carry: the users service.</summary>
    [Required]
    public string Issuer { get; set; } = "store-users";

    /// <summary>The <c>aud</c> every token must carry.</summary>
    [Required]
    public string Audience { get; set; } = "store-api";

    /// <summary>Where the users service publishes its public keys, e.g. http://localhost:5101/.well-known/jwks.json.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>A JWKS document given inline instead of <see cref="JwksUrl"/> (tests; an offline deployment).</summary>
    public string? Jwks { get; set; }
}
