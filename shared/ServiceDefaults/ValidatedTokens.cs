using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Store.ServiceDefaults;

/// <summary>
/// Validates bearer tokens as <see cref="JsonWebTokenHandler"/> does (signature, issuer, audience,
/// lifetime), and remembers the tokens it found valid, so that a client sending the same token with
/// every request pays for the RS256 signature check once per process, not once per request (about
/// 80 µs of CPU each, docs/benchmarks.md). A remembered token is accepted until it expires (with the
/// same clock skew as the validation) but for at most <see cref="MaxRemembered"/>, so a signing key
/// removed from the JWKS stops being trusted within that time. Each request gets its own copy of the
/// token's claims. Invalid tokens are not remembered: each one is checked again.
/// </summary>
public sealed class ValidatedTokens(TimeProvider clock) : JsonWebTokenHandler
{
    /// <summary>The longest a token is trusted without its signature being checked again.</summary>
    public static readonly TimeSpan MaxRemembered = TimeSpan.FromMinutes(5);

    /// <summary>Beyond this many remembered tokens, the next valid one starts the memory afresh.</summary>
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Remembered> _valid = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = clock.GetUtcNow();
        if (_valid.TryGetValue(token, out var remembered))
        {
            if (now < remembered.Until)
                return remembered.CopyForRequest();
            _valid.TryRemove(KeyValuePair.Create(token, remembered));
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result is { IsValid: true, SecurityToken: { } validated, ClaimsIdentity: { } identity })
        {
            var expires = new DateTimeOffset(validated.ValidTo, TimeSpan.Zero) + validationParameters.ClockSkew;
            var until = expires < now + MaxRemembered ? expires : now + MaxRemembered;
            if (_valid.Count >= MaxEntries)
                _valid.Clear();
            _valid[token] = new Remembered(result, identity.Clone(), until);
        }
        return result;
    }

    private sealed record Remembered(TokenValidationResult Result, System.Security.Claims.ClaimsIdentity Identity, DateTimeOffset Until)
    {
        /// <summary>A result of its own for this request: what an endpoint does to its claims stays with it.</summary>
        public TokenValidationResult CopyForRequest() => new()
        {
            IsValid = true,
            SecurityToken = Result.SecurityToken,
            ClaimsIdentity = Identity.Clone(),
            Issuer = Result.Issuer,
            TokenType = Result.TokenType,
        };
    }
}
