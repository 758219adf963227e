using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Store.Deployment.Tests;

/// <summary>docker-compose.yml names every process of the suite with what that process expects.</summary>
public sealed class ComposeFileTests
{
    private static readonly string Root = FindRoot();
    private static readonly YamlMappingNode Services = (YamlMappingNode)Load("docker-compose.yml")["services"];

    // Each process: its compose service, its project, the connection string it reads (null: none).
    public static TheoryData<string, string, string?> Processes() => new()
    {
        { "users", "services/Users/Users.csproj", "users" },
        { "items", "services/Items/Items.csproj", "items" },
        { "audit-log", "services/AuditLog/AuditLog.csproj", "audit" },
        { "notifications", "services/Notifications/Notifications.csproj", "notifications" },
        { "gateway", "gateway/Gateway.csproj", null },
    };

    [Theory]
    [MemberData(nameof(Processes))]
    public void Each_process_is_built_from_its_project_and_waits_for_what_it_needs(string name, string project, string? database)
    {
        var service = Service(name);

        var args = (YamlMappingNode)((YamlMappingNode)service["build"])["args"];
        Assert.Equal(project, args["PROJECT"].ToString());
        Assert.True(File.Exists(Path.Combine(Root, project)), $"{project} does not exist");
        Assert.Equal(Path.GetFileNameWithoutExtension(project) + ".dll", args["ASSEMBLY"].ToString());
        Assert.Contains(((YamlSequenceNode)service["ports"]).Select(p => p.ToString()), p => p.EndsWith(":8080", StringComparison.Ordinal));

        var dependsOn = (YamlMappingNode)service["depends_on"];
        foreach (var dependency in dependsOn.Children)
        {
            // The mail catcher has no health check; everything else must be healthy first.
            var expected = dependency.Key.ToString() == "mailpit" ? "service_started" : "service_healthy";
            Assert.Equal(expected, ((YamlMappingNode)dependency.Value)["condition"].ToString());
        }
        if (database is not null)
        {
            var environment = Environment(service);
            Assert.Contains($"Database={database};", environment[$"ConnectionStrings__{database}"], StringComparison.Ordinal);
            Assert.Equal("rabbitmq", environment["RabbitMq__Host"]);
            Assert.Equal("http://users:8080/.well-known/jwks.json", environment["Auth__JwksUrl"]);
            Assert.Contains("postgres", dependsOn.Children.Keys.Select(k => k.ToString()));
            Assert.Contains("rabbitmq", dependsOn.Children.Keys.Select(k => k.ToString()));
            // The connection string's name is the one the service reads.
            var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, Path.GetDirectoryName(project)!, "appsettings.json")));
            Assert.True(settings.RootElement.GetProperty("ConnectionStrings").TryGetProperty(database, out _));
        }
    }

    [Fact]
    public void The_gateway_routes_to_every_service_by_its_compose_name()
    {
        var environment = Environment(Service("gateway"));

        foreach (var (cluster, host) in new[] { ("users", "users"), ("items", "items"), ("audit", "audit-log"), ("notifications", "notifications") })
        {
            Assert.Equal($"http://{host}:8080/", environment[$"ReverseProxy__Clusters__{cluster}__Destinations__default__Address"]);
            Assert.True(Services.Children.ContainsKey(new YamlScalarNode(host)), $"no compose service {host}");
        }
        Assert.Contains("8080:8080", ((YamlSequenceNode)Service("gateway")["ports"]).Select(p => p.ToString()));
    }

    [Fact]
    public void The_servers_have_health_checks_and_named_volumes()
    {
        foreach (var server in new[] { "postgres", "rabbitmq" })
        {
            Assert.True(Service(server).Children.ContainsKey(new YamlScalarNode("healthcheck")), $"{server} has no health check");
            Assert.Contains(((YamlSequenceNode)Service(server)["volumes"]).Select(v => v.ToString()), v => v.Contains("-data:", StringComparison.Ordinal));
        }
        Assert.Contains("15672:15672", ((YamlSequenceNode)Service("rabbitmq")["ports"]).Select(p => p.ToString()));
    }

    [Fact]
    public void The_image_checks_each_process_health_and_runs_as_a_non_root_user()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Root, "infra/docker/service.Dockerfile"));

        Assert.Contains("HEALTHCHECK", dockerfile, StringComparison.Ordinal);
        Assert.Contains("/health/ready", dockerfile, StringComparison.Ordinal);
        Assert.Contains("USER $APP_UID", dockerfile, StringComparison.Ordinal);
    }

    private static YamlMappingNode Service(string name) => (YamlMappingNode)Services[name];

    private static Dictionary<string, string> Environment(YamlMappingNode service)
    {
        var environment = (YamlMappingNode)service["environment"];
        // `<<: *service-env` merges the shared settings in: read both.
        var merged = new Dictionary<string, string>();
        foreach (var (key, value) in environment.Children)
        {
            if (key.ToString() == "<<" && value is YamlMappingNode shared)
                foreach (var (k, v) in shared.Children)
                    merged.TryAdd(k.ToString(), v.ToString());
            else
                merged[key.ToString()] = value.ToString();
        }
        return merged;
    }

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, path));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string FindRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Microservices.sln")))
            folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("Microservices.sln not found above the test's folder.");
    }
}
