using System.ComponentModel.DataAnnotations;

namespace Store.Users.Auth;

/// <summary>Settings of the <c>Jwt</c> configuration section: how this service signs its tokens.</summary>
public sealed class JwtOptions
{
    public const string Section = "Jwt";

    /// <summary>The RSA private key tokens are signed with, as PEM (PKCS#8 or PKCS#1).</summary>
    public string? SigningKey { get; set; }

    /// <summary>A file holding <see cref="SigningKey"/> instead (a mounted secret).</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>
    /// Keys signed with before the current one, as PEM (public or private; only the public half is
    /// used). Published and accepted until they are removed, so a rotation logs nobody out.
    /// </summary>
    public List<string> PreviousKeys { get; set; } = [];

    /// <summary>Files holding <see cref="PreviousKeys"/> instead.</summary>
    public List<string> PreviousKeyFiles { get; set; } = [];

    /// <summary>
    /// When no key is configured: generate one at first start and keep it in
    /// <see cref="GeneratedKeyFile"/>. Defaults to true in Development only; elsewhere a missing key
    /// stops the service from starting.
    /// </summary>
    public bool? GenerateKey { get; set; }

    /// <summary>Where a generated key is kept, relative to the content root (git-ignored).</summary>
    public string GeneratedKeyFile { get; set; } = ".data/signing.dev-key.json";

    /// <summary>How long an access token is valid.</summary>
    [Range(1, 24 * 60)]
    public int AccessTokenMinutes { get; set; } = 60;
}
