using System.Threading.RateLimiting;

namespace Store.Gateway.Edge;

/// <summary>Settings of the <c>RateLimits</c> section: a fixed window per client address, for every request and for the token endpoint.</summary>
public sealed class ClientRateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Every request but the gateway's probes.</summary>
    public FixedWindowRateLimiterOptions PerClient { get; set; } = new();

    /// <summary>The token endpoint, where passwords are guessed: a stricter window.</summary>
    public FixedWindowRateLimiterOptions Token { get; set; } = new();

    public static bool IsValid(FixedWindowRateLimiterOptions window) =>
        window.PermitLimit > 0 && window.Window > TimeSpan.Zero;

    public static string Problem(string name) =>
        $"{Section}:{name} needs a PermitLimit > 0 and a Window > 0 (e.g. \"00:01:00\").";
}
