using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Store.Testing;

namespace Store.Drills.Tests;

/// <summary>
/// Two instances of every service behind the gateway (two outbox relays per producer, competing
/// consumers on each queue, two item caches), under the drills' purchase load; one instance of each
/// is killed mid-run and started again. Every order must still have exactly one audit row, one
/// notification and its e-mail (<see cref="Drill"/>), and afterwards a price change made through
/// one items instance must be served by both within the cache's bound (Items:Cache:MaxAge).
/// </summary>
[Collection(SharedDrillEnvironment.Name)]
public sealed class TwoOfEverythingDrill(DrillEnvironment environment)
{
    /// <summary>Items:Cache:MaxAge as the suite runs it (the default), plus a second for the reads' own latency.</summary>
    private static readonly TimeSpan StaleBound = TimeSpan.FromSeconds(5) + TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Downtime = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Two_instances_of_everything_with_one_of_each_killed_lose_no_event_and_serve_no_item_staler_than_the_cache_bound()
    {
        var suite = environment.Suite;
        await suite.StartSecondInstancesAsync();
        try
        {
            await new Drill(environment, "two-of-everything") { ToleratedDuplicateEmails = 4 }.RunAsync(async _ =>
            {
                await Task.WhenAll(suite.Users.StopAsync(), suite.Items.StopAsync(), suite.AuditLog.StopAsync(), suite.Notifications.StopAsync());
                await Task.Delay(Downtime);
                await Task.WhenAll(suite.Users.StartAsync(), suite.Items.StartAsync(), suite.AuditLog.StartAsync(), suite.Notifications.StartAsync());
            });

            var (reads, stale) = await LongestStaleReadAsync();
            TestReport.Add(string.Create(CultureInfo.InvariantCulture,
                $"drill two-of-everything: after a price change, {reads} reads through the gateway, the last old price {stale.TotalMilliseconds:0} ms after the change (bound {StaleBound.TotalSeconds:0} s)"));
            Assert.True(stale <= StaleBound, $"An old price was served {stale.TotalSeconds:0.0} s after the change.");
        }
        finally
        {
            await suite.StopSecondInstancesAsync();
        }
    }

    /// <summary>
    /// Fills both items instances' caches with an item, changes its price through the gateway (one
    /// instance), then reads it through the gateway (both instances) for longer than the bound, and
    /// returns how many reads were made and how long after the change the old price was last seen.
    /// </summary>
    private async Task<(int Reads, TimeSpan LastStale)> LongestStaleReadAsync()
    {
        var itemId = await environment.CreateItemAsync($"Drill staleness {Suite.Unique("")}");
        using var reader = environment.Suite.Client();
        for (var i = 0; i < 20; i++)
            await PriceAsync(reader, itemId);
        using var admin = environment.Suite.Client(environment.AdminToken);
        using (var changed = await admin.PatchAsJsonAsync($"/api/items/{itemId}", new { price = 4.5m }))
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var sinceChange = Stopwatch.StartNew();
        var lastStale = TimeSpan.Zero;
        var reads = 0;
        while (sinceChange.Elapsed < StaleBound + TimeSpan.FromSeconds(2))
        {
            var sent = sinceChange.Elapsed;
            if (await PriceAsync(reader, itemId) != 4.5m)
                lastStale = sent;
            reads++;
            await Task.Delay(10);
        }
        return (reads, lastStale);
    }

    private static async Task<decimal> PriceAsync(HttpClient client, int itemId)
    {
        using var response = await client.GetAsync($"/api/items/{itemId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("price").GetDecimal();
    }
}
