using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Store.Testing;

namespace Store.Drills.Tests;

/// <summary>
/// What every drill runs against: private servers (containers, or <see cref="ScriptedServers"/>
/// without Docker) that this test
/// process and every process it starts are pointed at, the whole suite on them as real processes,
/// an SMTP server that records the e-mails, and the accounts that buy.
/// </summary>
public sealed class DrillEnvironment : IAsyncLifetime
{
    public const int Buyers = 4;

    private IServerControl? _servers;

    public IServerControl Servers => _servers!;

    public SmtpServer Smtp { get; } = new();

    public DrillSuite Suite { get; private set; } = null!;

    public string AdminToken { get; private set; } = null!;

    public IReadOnlyList<string> BuyerTokens { get; private set; } = [];

    /// <summary>The consumer processes, each watched by a liveness probe while a drill waits for them.</summary>
    public IReadOnlyList<LivenessProbe> Consumers { get; private set; } = [];

    public async Task InitializeAsync()
    {
        _servers = TestServers.StartsContainers
            ? await ServerContainers.StartAsync(fixedPorts: true)
            : await ScriptedServers.StartAsync();
        // Store.Testing (databases, vhosts, the services' settings) reads where the servers are from
        // these variables, so from here on everything this process makes lives on the private servers.
        foreach (var (name, value) in _servers.Environment)
            Environment.SetEnvironmentVariable(name, value);

        Suite = new DrillSuite(Smtp);
        await Suite.InitializeAsync();
        AdminToken = await Suite.LogInAsync(Store.Testing.Suite.AdminUsername, Store.Testing.Suite.AdminPassword);
        var tokens = new List<string>();
        using var anonymous = Suite.Client();
        for (var n = 0; n < Buyers; n++)
        {
            var username = Store.Testing.Suite.Unique("buyer");
            using var registered = await anonymous.PostAsJsonAsync("/api/users",
                new { username, email = $"{username}@example.com", password = "drill-password" });
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            tokens.Add(await Suite.LogInAsync(username, "drill-password"));
        }
        BuyerTokens = tokens;
        Consumers = [new LivenessProbe(Suite.AuditLog, "audit-log"), new LivenessProbe(Suite.Notifications, "notifications")];
    }

    /// <summary>Creates an item with more stock than any drill buys and returns its id.</summary>
    public async Task<int> CreateItemAsync(string name)
    {
        using var admin = Suite.Client(AdminToken);
        using var created = await admin.PostAsJsonAsync("/api/items", new { name, price = 3m, stock = 1_000_000 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Suite is not null)
                await Suite.DisposeAsync();
        }
        finally
        {
            await Smtp.DisposeAsync();
            if (_servers is not null)
                await _servers.DisposeAsync();
        }
    }
}

/// <summary>The drills run one after another, on one environment.</summary>
[CollectionDefinition(Name)]
public sealed class SharedDrillEnvironment : ICollectionFixture<DrillEnvironment>
{
    public const string Name = "drills";
}

/// <summary>
/// The suite as it runs in production but for two settings: e-mails go to the test's SMTP server,
/// and the outbox relays (users, items) back off at most 1 s instead of 10 s after a failed round,
/// so events flow again within a second of RabbitMQ's return and a drill does not sit out a long
/// backoff; and the consumers fail /health/live after 10 s without consuming instead of 2 min, so
/// that the RabbitMQ drill sees it happen during its outage. The consumers keep their own retry
/// settings: those are part of what is drilled.
/// </summary>
public sealed class DrillSuite(SmtpServer smtp) : Suite
{
    private const string StuckEndpointTimeout = "00:00:10";

    protected override void Configure(string process, Dictionary<string, string?> settings)
    {
        switch (process)
        {
            case "audit":
                settings["RabbitMq:StuckEndpointTimeout"] = StuckEndpointTimeout;
                break;
            case "notifications":
                settings["RabbitMq:StuckEndpointTimeout"] = StuckEndpointTimeout;
                settings["Smtp:Host"] = "127.0.0.1";
                settings["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "users" or "items":
                settings["Outbox:RetryMaxDelay"] = "00:00:01";
                break;
        }
    }
}
