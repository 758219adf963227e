using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Store.Users.Auth;

/// <summary>
/// The RSA key this service signs tokens with, and the public keys it publishes and accepts: the
/// current one first, then any previous ones kept for a rotation. Each key's id (<c>kid</c>) is its
/// RFC 7638 thumbprint, so the same key always has the same id wherever it is loaded.
/// </summary>
public sealed class SigningKeys
{
    private const int MinimumKeyBits = 2048;

    private SigningKeys(RSAParameters current, IEnumerable<RSAParameters> previous)
    {
        Current = WithKeyId(current);
        Credentials = new SigningCredentials(Current, SecurityAlgorithms.RsaSha256);
        Published = [.. new[] { PublicHalf(current) }.Concat(previous.Select(PublicHalf)).DistinctBy(key => key.KeyId)];
    }

    /// <summary>The private key tokens are signed with now.</summary>
    public RsaSecurityKey Current { get; }

    public SigningCredentials Credentials { get; }

    /// <summary>The public halves of the current and the previous keys: what the JWKS lists and what validation accepts.</summary>
    public IReadOnlyList<RsaSecurityKey> Published { get; }

    /// <summary>
    /// Reads the keys from configuration: <see cref="JwtOptions.SigningKey"/> or
    /// <see cref="JwtOptions.SigningKeyFile"/>, else (where allowed) a key generated once and kept
    /// in <see cref="JwtOptions.GeneratedKeyFile"/>. Throws when there is no usable key.
    /// </summary>
    public static SigningKeys Load(JwtOptions settings, string contentRoot, bool isDevelopment, ILogger logger)
    {
        var previous = settings.PreviousKeys
            .Concat(settings.PreviousKeyFiles.Select(file => File.ReadAllText(Path.Combine(contentRoot, file))))
            .Select(pem => ReadPem(pem, requirePrivate: false, "Jwt:PreviousKeys"));

        RSAParameters current;
        if (!string.IsNullOrWhiteSpace(settings.SigningKey))
        {
            current = ReadPem(settings.SigningKey, requirePrivate: true, "Jwt:SigningKey");
        }
        else if (!string.IsNullOrWhiteSpace(settings.SigningKeyFile))
        {
            current = ReadPem(File.ReadAllText(Path.Combine(contentRoot, settings.SigningKeyFile)), requirePrivate: true, "Jwt:SigningKeyFile");
        }
        else if (settings.GenerateKey ?? isDevelopment)
        {
            var path = Path.GetFullPath(Path.Combine(contentRoot, settings.GeneratedKeyFile));
            current = LoadOrGenerate(path);
            logger.LogWarning(
                "Signing tokens with the generated development key in {KeyFile}. Configure Jwt:SigningKey or Jwt:SigningKeyFile outside development.",
                path);
        }
        else
        {
            throw new InvalidOperationException(
                "No token signing key is configured: set Jwt:SigningKey (an RSA private key as PEM) or Jwt:SigningKeyFile, " +
                "or set Jwt:GenerateKey=true to generate one and keep it in Jwt:GeneratedKeyFile.");
        }
        return new SigningKeys(current, previous);
    }

    /// <summary>
    /// The generated key: read when it exists, else created and written with owner-only access. Two
    /// instances starting together both generate one, but only the first file written survives
    /// (move without overwrite) and both use it.
    /// </summary>
    private static RSAParameters LoadOrGenerate(string path)
    {
        if (File.Exists(path))
            return ReadKeyFile(path);

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var rsa = RSA.Create(MinimumKeyBits);
        var file = new GeneratedKeyFile(rsa.ExportPkcs8PrivateKeyPem(), DateTimeOffset.UtcNow);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
            JsonSerializer.Serialize(stream, file);
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
        return ReadKeyFile(path);
    }

    private static RSAParameters ReadKeyFile(string path)
    {
        using var stream = File.OpenRead(path);
        var file = JsonSerializer.Deserialize<GeneratedKeyFile>(stream)
            ?? throw new InvalidOperationException($"The generated signing key file {path} is empty.");
        return ReadPem(file.PrivateKey, requirePrivate: true, path);
    }

    private static RSAParameters ReadPem(string pem, bool requirePrivate, string source)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"{source} is not an RSA key in PEM format: {e.Message}", e);
        }
        if (rsa.KeySize < MinimumKeyBits)
            throw new InvalidOperationException($"{source} is a {rsa.KeySize}-bit key; at least {MinimumKeyBits} bits are required.");
        try
        {
            return rsa.ExportParameters(includePrivateParameters: requirePrivate);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"{source} holds only a public key; tokens are signed with a private key.", e);
        }
    }

    private static RsaSecurityKey PublicHalf(RSAParameters key) =>
        WithKeyId(new RSAParameters { Modulus = key.Modulus, Exponent = key.Exponent });

    private static RsaSecurityKey WithKeyId(RSAParameters key)
    {
        var securityKey = new RsaSecurityKey(key);
        securityKey.KeyId = Base64UrlEncoder.Encode(securityKey.ComputeJwkThumbprint());
        return securityKey;
    }

    /// <summary>The generated key file's content: the private key as PKCS#8 PEM.</summary>
    private sealed record GeneratedKeyFile(string PrivateKey, DateTimeOffset CreatedAt);
}
