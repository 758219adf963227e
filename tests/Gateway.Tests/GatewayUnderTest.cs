using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Store.ServiceDefaults;
using Store.Testing;

namespace Store.Gateway.Tests;

/// <summary>
/// The real gateway in front of the real items service (on a fresh database), both run as
/// processes on ports of their own; one pair per test class. The users, audit-log and notification
/// services are not started here: their clusters point at a port nothing listens on, so whatever the
/// gateway forwards to them fails at the gateway (502, then 503 once the health check has seen it),
/// and a 401 on their routes can only come from the gateway itself. A test class changes the
/// gateway's settings by overriding <see cref="Configure"/>.
/// </summary>
public class GatewayUnderTest : IAsyncLifetime
{
    public const string AllowedOrigin = "https://shop.example";
    public const int MaxBodyBytes = 64 * 1024;
    public static readonly string[] Services = ["users", "items", "audit", "notifications"];
    public static readonly JsonSerializerOptions Json = CreateJson();

    private TestDatabase? _database;
    private TestVhost? _vhost;

    public ServiceProcess Items { get; private set; } = null!;
    public ServiceProcess Gateway { get; private set; } = null!;

    /// <summary>The gateway's address as a client names it (no trailing slash).</summary>
    public string GatewayOrigin => Gateway.Address.ToString().TrimEnd('/');

    public virtual async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("gateway_items");
        _vhost = await TestVhost.CreateAsync("gateway");
        var itemsPort = ServiceProcess.FreePort();
        var items = ServiceSettings.For("items", _database, _vhost);
        ConfigureItems(items, itemsPort);
        Items = await ServiceProcess.StartAsync("services/Items", items, itemsPort);

        var settings = new Dictionary<string, string?>
        {
            ["Auth:Jwks"] = TestTokens.Jwks,
            ["Auth:JwksUrl"] = null,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Cors:AllowedOrigins:0"] = AllowedOrigin,
            ["RequestLimits:MaxBodyBytes"] = MaxBodyBytes.ToString(CultureInfo.InvariantCulture),
            // High enough that only the rate-limit tests, which lower them, ever meet them.
            ["RateLimits:PerClient:PermitLimit"] = "100000",
            ["RateLimits:Token:PermitLimit"] = "100000",
        };
        foreach (var service in Services)
        {
            var cluster = $"ReverseProxy:Clusters:{service}";
            settings[$"{cluster}:Destinations:default:Address"] = (service == "items" ? Items.Address : Absent).ToString();
            settings[$"{cluster}:HealthCheck:Active:Interval"] = "00:00:01";
            settings[$"{cluster}:HealthCheck:Active:Timeout"] = "00:00:01";
        }
        Configure(settings);
        Gateway = await ServiceProcess.StartAsync("gateway", settings);
    }

    /// <summary>An address nothing listens on: where the clusters of the services not started here point.</summary>
    private Uri Absent { get; } = new($"http://127.0.0.1:{ServiceProcess.FreePort().ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>Changes the items service's settings before it starts on <paramref name="port"/>.</summary>
    protected virtual void ConfigureItems(Dictionary<string, string?> items, int port)
    {
    }

    /// <summary>Changes the gateway's settings before it starts; the defaults are set already.</summary>
    protected virtual void Configure(Dictionary<string, string?> gateway)
    {
    }

    public virtual async Task DisposeAsync()
    {
        if (Gateway is not null)
            await Gateway.DisposeAsync();
        if (Items is not null)
            await Items.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
        if (_vhost is not null)
            await _vhost.DisposeAsync();
    }

    /// <summary>A client of the gateway sending <paramref name="token"/> as its bearer token (none when null).</summary>
    public HttpClient Client(string? token = null)
    {
        var client = Gateway.CreateClient();
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Creates an item through the gateway, as admin, and returns it.</summary>
    public async Task<JsonElement> CreateItemAsync(string name, int stock = 1)
    {
        using var admin = Client(TestTokens.Admin());
        using var response = await admin.PostAsJsonAsync("/api/items", new { name, price = 9.5m, stock }, Json);
        Assert.True(response.IsSuccessStatusCode, $"creating an item answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Json);
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ServiceDefaultsExtensions.ConfigureJson(options);
        return options;
    }
}
