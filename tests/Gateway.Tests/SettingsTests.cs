using Store.Testing;

namespace Store.Gateway.Tests;

/// <summary>
/// A gateway setting it cannot work with stops it at start-up (the options are validated on start),
/// and what it prints names the setting, rather than the gateway starting and failing on the first
/// request.
/// </summary>
public sealed class SettingsTests
{
    [Theory]
    [InlineData("RateLimits:PerClient:PermitLimit", "0", "RateLimits:PerClient needs a PermitLimit > 0")]
    [InlineData("RateLimits:Token:Window", "00:00:00", "RateLimits:Token needs a PermitLimit > 0")]
    [InlineData("RequestLimits:MaxBodyBytes", "0", "MaxBodyBytes")]
    [InlineData("UnixSockets:Destinations:items:Path", "/tmp/items.sock", "UnixSockets:Destinations:items needs an absolute Address")]
    public async Task A_setting_out_of_range_stops_the_gateway_at_start_naming_it(string setting, string value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Jwks"] = TestTokens.Jwks,
            ["Auth:JwksUrl"] = null,
            [setting] = value,
        };

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync("gateway", settings));

        Assert.Contains("exited with code", failure.Message, StringComparison.Ordinal);
        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }
}
