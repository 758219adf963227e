using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Store.Testing;

namespace Store.Gateway.Tests;

/// <summary>
/// A gateway whose four clusters all point at the one items service (it stands in for each of
/// them), so that everything is healthy at first and stopping that one process takes a service down.
/// </summary>
public sealed class OneInstanceForEveryService : GatewayUnderTest
{
    protected override void Configure(Dictionary<string, string?> gateway)
    {
        foreach (var service in Services)
            gateway[$"ReverseProxy:Clusters:{service}:Destinations:default:Address"] = Items.Address.ToString();
    }
}

/// <summary>A service that stops, and comes back: 502/503 problems meanwhile, and /health saying so.</summary>
public sealed class UpstreamOutageTests(OneInstanceForEveryService gateway) : IClassFixture<OneInstanceForEveryService>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_stopped_service_is_503_problem_until_it_returns()
    {
        using var client = gateway.Client();
        using (var before = await client.GetAsync("/api/items"))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await gateway.Items.StopAsync();
        try
        {
            // 502 while the gateway still tries the instance; 503 once its health check took it out.
            using var down = await Answers.PollUntilAsync(client, "/api/items", HttpStatusCode.ServiceUnavailable, Within);
            var problem = await Answers.AssertProblemAsync(down, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("The items service is unavailable: no instance of it passes its health check.", problem.GetProperty("detail").GetString());
        }
        finally
        {
            await gateway.Items.StartAsync();
        }

        using var back = await Answers.PollUntilAsync(client, "/api/items", HttpStatusCode.OK, Within);
    }

    [Fact]
    public async Task Health_reports_every_service_degrades_to_503_while_one_is_down_and_recovers()
    {
        using var client = gateway.Client(TestTokens.Admin());
        using var anonymous = gateway.Client();
        using (var healthy = await Answers.PollUntilAsync(client, "/health", HttpStatusCode.OK, Within))
        {
            var report = await Answers.JsonAsync(healthy);
            Assert.Equal("healthy", report.GetProperty("status").GetString());
            Assert.Equal("healthy", report.GetProperty("gateway").GetProperty("status").GetString());
            foreach (var service in GatewayUnderTest.Services)
            {
                var instance = ServiceIn(report, service, "healthy").GetProperty("instances").EnumerateArray().Single();
                Assert.Equal(gateway.Items.Address.ToString(), instance.GetProperty("address").GetString());
                // The service's own readiness report: its database check.
                Assert.Equal("healthy", instance.GetProperty("readiness").GetProperty("checks").GetProperty("items").GetProperty("status").GetString());
            }
        }

        await gateway.Items.StopAsync();
        try
        {
            using var degraded = await client.GetAsync("/health");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, degraded.StatusCode);
            var report = await Answers.JsonAsync(degraded);
            Assert.Equal("unhealthy", report.GetProperty("status").GetString());
            Assert.Equal("healthy", report.GetProperty("gateway").GetProperty("status").GetString());
            var instance = ServiceIn(report, "items", "unhealthy").GetProperty("instances").EnumerateArray().Single();
            Assert.False(string.IsNullOrEmpty(instance.GetProperty("error").GetString()));

            // Anyone else sees the statuses only: no address, report or error text from the inside.
            using var seenByAnyone = await anonymous.GetAsync("/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, seenByAnyone.StatusCode);
            var statusOnly = await Answers.JsonAsync(seenByAnyone);
            Assert.Equal("unhealthy", statusOnly.GetProperty("status").GetString());
            foreach (var service in GatewayUnderTest.Services)
            {
                var onlyInstance = statusOnly.GetProperty("services").GetProperty(service).GetProperty("instances").EnumerateArray().Single();
                Assert.Equal("unhealthy", onlyInstance.GetProperty("status").GetString());
                foreach (var hidden in new[] { "address", "readiness", "error" })
                    Assert.Equal(JsonValueKind.Null, onlyInstance.GetProperty(hidden).ValueKind);
            }
        }
        finally
        {
            await gateway.Items.StartAsync();
        }

        using var recovered = await Answers.PollUntilAsync(client, "/health", HttpStatusCode.OK, Within);
        Assert.Equal("healthy", (await Answers.JsonAsync(recovered)).GetProperty("status").GetString());
    }

    private static JsonElement ServiceIn(JsonElement report, string service, string status)
    {
        var entry = report.GetProperty("services").GetProperty(service);
        Assert.Equal(status, entry.GetProperty("status").GetString());
        return entry;
    }
}

/// <summary>A gateway that waits 2 s for the items service, and does not health-check it (so only the timeout speaks).</summary>
public sealed class ImpatientGateway : GatewayUnderTest
{
    public static readonly TimeSpan ActivityTimeout = TimeSpan.FromSeconds(2);

    protected override void Configure(Dictionary<string, string?> gateway)
    {
        gateway["ReverseProxy:Clusters:items:HttpRequest:ActivityTimeout"] = ActivityTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        gateway["ReverseProxy:Clusters:items:HealthCheck:Active:Enabled"] = "false";
    }
}

public sealed class UpstreamTimeoutTests(ImpatientGateway gateway) : IClassFixture<ImpatientGateway>
{
    [Fact]
    public async Task A_service_that_does_not_answer_in_time_is_504_problem()
    {
        using var client = gateway.Client();
        using (var before = await client.GetAsync("/api/items"))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        // A hung service: it still accepts connections but answers nothing.
        await gateway.Items.PauseAsync();
        HttpResponseMessage timedOut;
        var clock = Stopwatch.StartNew();
        try
        {
            timedOut = await client.GetAsync("/api/items");
        }
        finally
        {
            await gateway.Items.ResumeAsync();
        }

        using (timedOut)
        {
            var problem = await Answers.AssertProblemAsync(timedOut, HttpStatusCode.GatewayTimeout);
            Assert.Equal("The items service did not answer in time.", problem.GetProperty("detail").GetString());
            Assert.InRange(clock.Elapsed, ImpatientGateway.ActivityTimeout, ImpatientGateway.ActivityTimeout * 5);
        }
        using var after = await client.GetAsync("/api/items");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}
