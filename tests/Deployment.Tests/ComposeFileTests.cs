using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
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
        Assert.Equal($"store/{name}:${{STORE_TAG:-dev}}", service["image"].ToString());

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
        Assert.Contains(LocalOnly + ":8080:8080", ((YamlSequenceNode)Service("gateway")["ports"]).Select(p => p.ToString()));
    }

    /// <summary>How every port is published: on 127.0.0.1 unless STORE_BIND says otherwise.</summary>
    private const string LocalOnly = "${STORE_BIND:-127.0.0.1}";

    [Fact]
    public void Every_container_restarts_and_publishes_its_ports_on_127_0_0_1_by_default()
    {
        foreach (var (name, node) in Services.Children)
        {
            var service = (YamlMappingNode)node;
            Assert.Equal("unless-stopped", service["restart"].ToString());
            if (service.Children.TryGetValue(new YamlScalarNode("ports"), out var ports))
                Assert.All((YamlSequenceNode)ports, port => Assert.StartsWith(LocalOnly + ":", port.ToString(), StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_first_admin_password_is_required_with_a_message_and_the_broker_keeps_its_node_name()
    {
        var password = Environment(Service("users"))["Admin__Password"];
        Assert.StartsWith("${ADMIN_PASSWORD:?", password, StringComparison.Ordinal);
        Assert.Contains(".env.example", password, StringComparison.Ordinal);
        Assert.Contains("ADMIN_PASSWORD=", File.ReadAllText(Path.Combine(Root, ".env.example")), StringComparison.Ordinal);
        // Its data lives under rabbit@<hostname>: a recreated container must have the same one.
        Assert.Equal("rabbitmq", Service("rabbitmq")["hostname"].ToString());
        // Over TCP, not the socket the image's initialisation server also listens on.
        Assert.Contains("-h 127.0.0.1", ((YamlSequenceNode)((YamlMappingNode)Service("postgres")["healthcheck"])["test"])[1].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_image_restores_from_the_project_files_alone_and_names_every_project_of_the_services()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(Root, "infra/docker/service.Dockerfile"));
        var restore = Array.FindIndex(dockerfile, line => line.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        var copyAll = Array.FindIndex(dockerfile, line => line == "COPY . .");
        Assert.True(restore > 0 && copyAll > restore, "the restore runs before the code is copied");
        var copied = dockerfile[..restore].Where(line => line.StartsWith("COPY ", StringComparison.Ordinal)).SelectMany(line => line.Split(' ')[1..^1]).ToHashSet();
        var projects = new[] { "shared", "services", "gateway" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(Root, folder), "*.csproj", SearchOption.AllDirectories))
            .Select(path => Path.GetRelativePath(Root, path).Replace('\\', '/'));
        Assert.All(projects, project => Assert.Contains(project, copied));
        Assert.Contains("Directory.Packages.props", copied);
        Assert.Contains(dockerfile, line => line.Contains("--no-restore", StringComparison.Ordinal));
    }

    /// <summary>The Compose Specification's top-level elements (`x-` extensions aside).</summary>
    private static readonly HashSet<string> TopLevelKeys = ["name", "services", "networks", "volumes", "configs", "secrets", "include"];

    /// <summary>
    /// The service attributes this file may use: those of the Compose Specification that docker-compose
    /// 1.29 also reads (not `develop` or `models`, which it does not know, nor the legacy `links`).
    /// </summary>
    private static readonly HashSet<string> ServiceKeys =
    [
        "build", "command", "container_name", "cpu_shares", "depends_on", "entrypoint", "env_file", "environment", "expose",
        "extra_hosts", "healthcheck", "hostname", "image", "init", "labels", "logging", "networks", "ports",
        "restart", "stop_grace_period", "stop_signal", "user", "volumes", "working_dir",
    ];

    [Fact]
    public void The_file_is_the_Compose_Specification_read_alike_by_docker_compose_1_and_docker_compose_v2()
    {
        var file = Load("docker-compose.yml");
        // `version` is obsolete under v2 (a warning on every command) and meaningless under the specification.
        Assert.All(file.Children.Keys.Select(k => k.ToString()).Where(k => !k.StartsWith("x-", StringComparison.Ordinal)),
            key => Assert.Contains(key, TopLevelKeys));
        foreach (var (name, node) in Services.Children)
        {
            Assert.All(((YamlMappingNode)node).Children.Keys.Select(k => k.ToString()), key => Assert.True(ServiceKeys.Contains(key),
                $"service {name}: '{key}' is not among the attributes both docker-compose 1.29 and v2 read that this file allows"));
            // The long form of depends_on, with conditions, is read by both; so is the short list.
            if (((YamlMappingNode)node).Children.TryGetValue(new YamlScalarNode("depends_on"), out var dependsOn) && dependsOn is YamlMappingNode conditions)
                Assert.All(conditions.Children.Values, dependency => Assert.Contains(
                    ((YamlMappingNode)dependency)["condition"].ToString(), new[] { "service_started", "service_healthy", "service_completed_successfully" }));
        }
    }

    [Fact]
    public void The_servers_have_health_checks_and_named_volumes()
    {
        foreach (var server in new[] { "postgres", "rabbitmq" })
        {
            Assert.True(Service(server).Children.ContainsKey(new YamlScalarNode("healthcheck")), $"{server} has no health check");
            Assert.Contains(((YamlSequenceNode)Service(server)["volumes"]).Select(v => v.ToString()), v => v.Contains("-data:", StringComparison.Ordinal));
        }
        Assert.Contains(LocalOnly + ":15672:15672", ((YamlSequenceNode)Service("rabbitmq")["ports"]).Select(p => p.ToString()));
    }

    [Fact]
    public void The_image_checks_each_process_health_and_runs_as_a_non_root_user()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Root, "infra/docker/service.Dockerfile"));

        Assert.Contains("HEALTHCHECK", dockerfile, StringComparison.Ordinal);
        Assert.Contains("/health/ready", dockerfile, StringComparison.Ordinal);
        Assert.Contains("USER $APP_UID", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void The_image_and_infra_up_give_the_services_the_same_tiering_setting()
    {
        // Set in two places (only the environment variable sets it): they must not drift apart.
        const string Variable = "DOTNET_TC_CallCountingDelayMs";
        var image = Regex.Match(File.ReadAllText(Path.Combine(Root, "infra/docker/service.Dockerfile")), $@"{Variable}=(\w+)");
        var upScript = Regex.Match(
            File.ReadAllText(Path.Combine(Root, "infra/up.sh")), $@"{Variable}=""\$\{{{Variable}:-(\w+)\}}""");
        Assert.True(image.Success, $"the image sets {Variable}");
        Assert.True(upScript.Success, $"infra/up.sh gives the services {Variable}");
        Assert.Equal(image.Groups[1].Value, upScript.Groups[1].Value);
    }

    [Theory]
    [InlineData("users")]
    [InlineData("items")]
    [InlineData("audit-log")]
    [InlineData("notifications")]
    [InlineData("gateway")]
    public void The_image_and_infra_up_give_each_process_the_same_gen0_budget(string name)
    {
        var dockerfile = File.ReadAllText(Path.Combine(Root, "infra/docker/service.Dockerfile"));
        var upScript = File.ReadAllText(Path.Combine(Root, "infra/up.sh"));
        Assert.Contains("DOTNET_GCgen0size=${GEN0_BUDGET}", dockerfile, StringComparison.Ordinal);
        Assert.Contains(@"DOTNET_GCgen0size=""${DOTNET_GCgen0size:-$gen0_budget}""", upScript, StringComparison.Ordinal);

        // The image's: its build argument in docker-compose.yml, or the Dockerfile's default.
        var args = (YamlMappingNode)((YamlMappingNode)Service(name)["build"])["args"];
        var inImage = args.Children.TryGetValue(new YamlScalarNode("GEN0_BUDGET"), out var arg)
            ? arg.ToString()
            : Regex.Match(dockerfile, @"ARG GEN0_BUDGET=(\w+)").Groups[1].Value;
        // infra/up.sh's: the default, or the value of the case that names the process.
        var upDefault = Regex.Match(upScript, @"^\s*gen0_budget=(\w+)$", RegexOptions.Multiline).Groups[1].Value;
        var upCase = Regex.Match(upScript, @"case ""\$name"" in ([\w| -]+)\) gen0_budget=(\w+)");
        Assert.True(upCase.Success, "infra/up.sh gives some processes a gen0 budget of their own");
        var named = upCase.Groups[1].Value.Split('|', StringSplitOptions.TrimEntries).Contains(name);
        var inUpScript = named ? upCase.Groups[2].Value : upDefault;

        Assert.Matches("^0x[0-9a-f]+$", inImage);
        Assert.Equal(inImage, inUpScript);
    }

    /// <summary>
    /// The consumers yield the CPU to the request path wherever the suite runs: a smaller CPU weight
    /// under docker compose (Docker's default is 1024), a nice value under infra/up.sh, a smaller CPU
    /// request on Kubernetes; the other processes keep the default.
    /// </summary>
    [Theory]
    [InlineData("users", false)]
    [InlineData("items", false)]
    [InlineData("gateway", false)]
    [InlineData("audit-log", true)]
    [InlineData("notifications", true)]
    public void Only_the_consumers_yield_the_CPU_under_compose_infra_up_and_Kubernetes(string name, bool consumer)
    {
        var shares = Service(name).Children.TryGetValue(new YamlScalarNode("cpu_shares"), out var weight) ? int.Parse(weight.ToString(), CultureInfo.InvariantCulture) : 1024;
        Assert.Equal(consumer, shares < 1024);

        var upScript = File.ReadAllText(Path.Combine(Root, "infra/up.sh"));
        Assert.Contains(@"nice -n ""$priority"" dotnet", upScript, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s*priority=0$", upScript);
        var upCase = Regex.Match(upScript, @"case ""\$name"" in ([\w| -]+)\) .*priority=\$\{CONSUMER_NICE:-(\d+)\}");
        Assert.True(upCase.Success, "infra/up.sh gives the consumers a priority of their own");
        Assert.True(int.Parse(upCase.Groups[2].Value, CultureInfo.InvariantCulture) > 0);
        Assert.Equal(consumer, upCase.Groups[1].Value.Split('|', StringSplitOptions.TrimEntries).Contains(name));

        static int CpuRequest(string process) => int.Parse(Regex.Match(File.ReadAllText(Path.Combine(Root, $"infra/k8s/{process}.yaml")),
            @"requests: \{ cpu: (\d+)m").Groups[1].Value, CultureInfo.InvariantCulture);
        string[] requestPath = ["users", "items", "gateway"];
        if (consumer)
            Assert.All(requestPath, other => Assert.True(CpuRequest(name) < CpuRequest(other), $"{name} asks Kubernetes for less CPU than {other}"));
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
