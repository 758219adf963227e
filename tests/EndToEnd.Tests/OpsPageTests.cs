using System.Net.Http.Json;
using System.Text.Json;
using Store.Contracts;
using Store.Testing;

namespace Store.EndToEnd.Tests;

/// <summary>
/// The gateway's /ops page in Debian's Chromium, driven as a person uses it (Browser/ops-page.mjs,
/// puppeteer-core): log in, see every service and queue, buy an item, follow its request id to the
/// audit entry and the notification, and replay the message this test put in audit-log_error.
/// infra/test.sh installs Chromium and the script's packages.
/// </summary>
public sealed class OpsPageTests(Suite suite) : IClassFixture<Suite>
{
    [Fact]
    public async Task An_admin_sees_the_suite_follows_a_purchase_and_replays_an_error_queue_on_the_ops_page()
    {
        // A message that failed for good earlier: an item's creation the audit log never recorded.
        var lost = new ItemCreated(Random.Shared.Next(1_000_000, int.MaxValue), "Replayed lamp", null, 5m, null, [], 1)
            .Sent(1, "admin", $"ops-lost-{Guid.NewGuid():N}");
        await using (var publisher = await EventPublisher.StartAsync(suite.Vhost.Name))
            await publisher.SendToQueueAsync(lost, lost.EventId, "audit-log_error", lost.CorrelationId);

        var screenshot = Environment.GetEnvironmentVariable("OPS_SCREENSHOT") is { Length: > 0 } path
            ? path
            : Path.Combine(Path.GetTempPath(), $"ops-page-{Guid.NewGuid():N}.png");
        var (exitCode, output, errors) = await NodeScript.RunAsync("Browser", ["ops-page.mjs"], new()
        {
            ["GATEWAY_URL"] = suite.Gateway.Address.ToString(),
            ["ADMIN_USERNAME"] = Suite.AdminUsername,
            ["ADMIN_PASSWORD"] = Suite.AdminPassword,
            ["ERROR_QUEUE"] = "audit-log",
            ["SCREENSHOT"] = screenshot,
        });

        Assert.True(exitCode == 0, $"ops-page.mjs exited with {exitCode}:\n{output}\n{errors}");
        Assert.Contains("ops-page: passed", output);
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"no screenshot at {screenshot}");
        // What the page's replay button did, seen through the API: the lost event is in the audit log now.
        using var admin = suite.Client(await suite.LogInAsync(Suite.AdminUsername, Suite.AdminPassword));
        var recorded = await Eventually.GetAsync(
            async () => (await admin.GetFromJsonAsync<JsonElement>($"/api/audit?correlation_id={lost.CorrelationId}")).EnumerateArray().ToList(),
            entries => entries.Count == 1, TimeSpan.FromSeconds(15), "the replayed event's audit entry");
        Assert.Equal(lost.EventId, recorded[0].GetProperty("event_id").GetGuid());
    }
}
