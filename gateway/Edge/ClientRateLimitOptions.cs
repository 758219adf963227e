using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;

namespace Store.Gateway.Edge;

/// <summary>Settings of the <c>RateLimits</c> section: a fixed window per client address, for every request and for the token endpoint.</summary>
public sealed class ClientRateLimitOptions : IValidatableObject
{
    public const string Section = "RateLimits";

    /// <summary>Every request but the gateway's probes.</summary>
    public FixedWindowRateLimiterOptions PerClient { get; set; } = new();

    /// <summary>The token endpoint, where passwords are guessed: a stricter window.</summary>
    public FixedWindowRateLimiterOptions Token { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, window) in new[] { (nameof(PerClient), PerClient), (nameof(Token), Token) })
        {
            if (window.PermitLimit <= 0 || window.Window <= TimeSpan.Zero)
                yield return new ValidationResult($"{Section}:{name} needs a PermitLimit > 0 and a Window > 0 (e.g. \"00:01:00\").", [name]);
        }
    }
}
