using System.ComponentModel.DataAnnotations;

namespace Store.Gateway.Edge;

/// <summary>Settings of the <c>RequestLimits</c> section.</summary>
public sealed class RequestLimitOptions
{
    public const string Section = "RequestLimits";

    /// <summary>The largest request body the gateway takes, in bytes.</summary>
    [Range(1, long.MaxValue)]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}
