using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Store.Testing;

namespace Store.Gateway.Tests;

/// <summary>
/// What every test that starts a process leans on: a port is handed out once per test run, outside
/// the range the system picks ports from itself, and a process counts as started only when the
/// answer on its port is its own (a gateway whose port another fixture's service took would
/// otherwise pass for live, and a test would get that service's 404s).
/// </summary>
public sealed class ServiceProcessTests
{
    [Fact]
    public void Free_ports_are_handed_out_once_each_and_below_the_systems_ephemeral_ports()
    {
        var ports = Enumerable.Range(0, 200).Select(_ => ServiceProcess.FreePort()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        var firstEphemeral = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], CultureInfo.InvariantCulture);
        Assert.All(ports, port => Assert.InRange(port, 20000, firstEphemeral - 1));
    }

    [Fact]
    public async Task A_process_whose_port_another_server_answers_on_fails_to_start_instead_of_passing_for_live()
    {
        await using var other = await LocalWebServer.StartAsync(app => app.MapGet("/health/live", () => Results.Text("Healthy")));
        var port = new Uri(other.Address).Port;
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Jwks"] = TestTokens.Jwks,
            ["Auth:JwksUrl"] = null,
            ["Logging:LogLevel:Default"] = "Warning",
        };

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync("gateway", settings, port));

        Assert.Contains("exited with code", failure.Message, StringComparison.Ordinal);
        Assert.Contains("address already in use", failure.Message, StringComparison.OrdinalIgnoreCase);
    }
}
