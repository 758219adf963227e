using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Store.Testing;

/// <summary>
/// The whole suite as real processes: the four services and the gateway on free ports, each service
/// on a fresh database of its own, all on one fresh RabbitMQ vhost, tokens issued by the real users
/// service and checked everywhere against its JWKS URL. Tests talk only to the gateway.
/// A fixture that needs other settings derives from it and overrides <see cref="Configure"/>.
/// </summary>
public class Suite : IAsyncLifetime
{
    public const string AdminUsername = "admin";
    public const string AdminPassword = "end-to-end-admin-password";

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly Dictionary<string, TestDatabase> _databases = [];
    // What each process was started with (project, settings), for a second instance of it.
    private readonly Dictionary<string, (string Project, Dictionary<string, string?> Settings)> _started = [];
    // The second instance of each service, by process name, while StartSecondInstancesAsync's are running.
    private Dictionary<string, ServiceProcess>? _second;
    private string? _keyFolder;
    private string? _tokenUrl;

    /// <summary>The RabbitMQ vhost every process of the suite uses.</summary>
    public TestVhost Vhost { get; private set; } = null!;

    /// <summary>A service's database: "users", "items", "audit" or "notifications".</summary>
    public TestDatabase Database(string service) => _databases[service];

    public ServiceProcess Users { get; private set; } = null!;
    public ServiceProcess Items { get; private set; } = null!;
    public ServiceProcess AuditLog { get; private set; } = null!;
    public ServiceProcess Notifications { get; private set; } = null!;
    public ServiceProcess Gateway { get; private set; } = null!;

    /// <summary>
    /// The file the users service generated its signing key into (JSON, the PEM in <c>PrivateKey</c>):
    /// tests mint tokens with the real key and wrong claims from it.
    /// </summary>
    public string SigningKeyFile => Path.Combine(_keyFolder ?? throw new InvalidOperationException("The suite has not started."), "signing.dev-key.json");

    public virtual async Task InitializeAsync()
    {
        var vhost = Vhost = Own(await TestVhost.CreateAsync("e2e"));
        _keyFolder = Directory.CreateTempSubdirectory("e2e-keys").FullName;
        // Known before the services start: their /docs pages log in at the gateway's token endpoint.
        var gatewayPort = ServiceProcess.FreePort();
        _tokenUrl = $"http://127.0.0.1:{gatewayPort.ToString(CultureInfo.InvariantCulture)}/api/auth/token";

        var users = await SettingsAsync("users", vhost);
        users["Jwt:GenerateKey"] = "true";
        users["Jwt:GeneratedKeyFile"] = SigningKeyFile;
        users["Admin:Username"] = AdminUsername;
        users["Admin:Password"] = AdminPassword;
        users["Admin:Email"] = "admin@example.com";
        Users = await StartAsync("services/Users", "users", users);
        var jwks = new Uri(Users.Address, ".well-known/jwks.json").ToString();

        Items = await StartAsync("services/Items", "items", await SettingsAsync("items", vhost, jwks));
        AuditLog = await StartAsync("services/AuditLog", "audit", await SettingsAsync("audit", vhost, jwks));
        Notifications = await StartAsync("services/Notifications", "notifications", await SettingsAsync("notifications", vhost, jwks));

        Gateway = await StartAsync("gateway", "gateway", GatewaySettings(jwks), gatewayPort);
    }

    /// <summary>
    /// The gateway's settings: each service's cluster with the first instance, and with the second
    /// one as well while <see cref="StartSecondInstancesAsync"/>'s are running.
    /// </summary>
    private Dictionary<string, string?> GatewaySettings(string jwks)
    {
        var gateway = new Dictionary<string, string?>
        {
            ["Auth:JwksUrl"] = jwks,
            ["Logging:LogLevel:Default"] = "Warning",
            ["RateLimits:PerClient:PermitLimit"] = "100000",
            ["RateLimits:Token:PermitLimit"] = "100000",
        };
        var services = new[] { ("users", Users), ("items", Items), ("audit", AuditLog), ("notifications", Notifications) };
        foreach (var (index, (cluster, service)) in services.Index())
        {
            gateway[$"ReverseProxy:Clusters:{cluster}:Destinations:default:Address"] = service.Address.ToString();
            gateway[$"ReverseProxy:Clusters:{cluster}:HealthCheck:Active:Interval"] = "00:00:01";
            gateway[$"Cors:DocsOrigins:{index.ToString(CultureInfo.InvariantCulture)}"] = service.Address.ToString().TrimEnd('/');
            if (_second is not null && _second.TryGetValue(cluster, out var instance))
                gateway[$"ReverseProxy:Clusters:{cluster}:Destinations:second:Address"] = instance.Address.ToString();
        }
        return gateway;
    }

    /// <summary>
    /// Starts a second instance of each service (the same database, vhost and settings, a port of its
    /// own: two relays, competing consumers, two caches) and restarts the gateway, on its port, with
    /// both instances in each cluster; <see cref="StopSecondInstancesAsync"/> undoes it.
    /// </summary>
    public async Task StartSecondInstancesAsync()
    {
        _second = [];
        foreach (var process in new[] { "users", "items", "audit", "notifications" })
        {
            var (project, settings) = _started[process];
            _second[process] = Own(await ServiceProcess.StartAsync(project, settings));
        }
        await RestartGatewayAsync();
    }

    /// <summary>Stops the second instances and gives the gateway back its single destinations.</summary>
    public async Task StopSecondInstancesAsync()
    {
        var second = _second;
        _second = null;
        await RestartGatewayAsync();
        foreach (var instance in second?.Values ?? Enumerable.Empty<ServiceProcess>())
            await instance.StopAsync();
    }

    /// <summary>The gateway again, on its port, with the destinations of this moment (<see cref="GatewaySettings"/>).</summary>
    private async Task RestartGatewayAsync()
    {
        var (_, settings) = _started["gateway"];
        await Gateway.StopAsync();
        Gateway = await StartAsync("gateway", "gateway", GatewaySettings(settings["Auth:JwksUrl"]!), Gateway.Port);
    }

    private async Task<ServiceProcess> StartAsync(string project, string process, Dictionary<string, string?> settings, int? port = null)
    {
        Configure(process, settings);
        _started[process] = (project, settings);
        return Own(await ServiceProcess.StartAsync(project, settings, port));
    }

    /// <summary>
    /// Changes the settings a process starts with: <paramref name="process"/> is "users", "items",
    /// "audit", "notifications" or "gateway". The suite's own settings raise the gateway's rate limits.
    /// </summary>
    protected virtual void Configure(string process, Dictionary<string, string?> settings)
    {
    }

    /// <summary>A service's settings on a fresh database of its own and the suite's vhost, trusting the users service's JWKS.</summary>
    private async Task<Dictionary<string, string?>> SettingsAsync(string database, TestVhost vhost, string? jwksUrl = null)
    {
        var created = _databases[database] = Own(await TestDatabase.CreateAsync($"e2e_{database}"));
        var settings = ServiceSettings.For(database, created, vhost);
        settings["Auth:Jwks"] = null;
        settings["Auth:JwksUrl"] = jwksUrl;
        settings["Docs:TokenUrl"] = _tokenUrl;
        return settings;
    }

    private T Own<T>(T resource) where T : IAsyncDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    public virtual async Task DisposeAsync()
    {
        // Processes first (they hold connections), then databases and the vhost.
        foreach (var resource in Enumerable.Reverse(_owned))
            await resource.DisposeAsync();
        if (_keyFolder is not null)
            Directory.Delete(_keyFolder, recursive: true);
    }

    /// <summary>A client of the gateway, sending <paramref name="token"/> when given.</summary>
    public HttpClient Client(string? token = null)
    {
        var client = Gateway.CreateClient();
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Logs in through the gateway (the OAuth2 password grant) and returns the access token.</summary>
    public async Task<string> LogInAsync(string username, string password)
    {
        using var client = Client();
        using var response = await client.PostAsync("/api/auth/token",
            new FormUrlEncodedContent([new("username", username), new("password", password)]));
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("access_token").GetString()!;
    }

    public static string Unique(string prefix) =>
        $"{prefix}{DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture)[^9..]}{Random.Shared.Next(100, 999)}";
}
