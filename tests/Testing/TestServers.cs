using System.Globalization;

namespace Store.Testing;

/// <summary>
/// Where the real PostgreSQL and RabbitMQ run. By default (TEST_SERVERS=containers) each test process
/// starts its own pair in Docker (<see cref="ServerContainers"/>) the first time a test asks for one,
/// and removes it when the process exits. With TEST_SERVERS=running the tests use servers already
/// running where the variables below say, with infra/servers.sh's defaults, so that
/// `infra/servers.sh start` and the tests agree without configuration on a machine without Docker.
/// </summary>
public static class TestServers
{
    public const string StartCommand = "infra/servers.sh start";
    public const string ModeVariable = "TEST_SERVERS";
    public const string ContainersMode = "containers";
    public const string RunningMode = "running";

    private static readonly Lazy<ServerContainers> Containers = new(StartContainers, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string PostgresHost => Setting("PG_HOST", "127.0.0.1");
    public static int PostgresPort => int.Parse(Setting("PG_PORT", "5432"), CultureInfo.InvariantCulture);
    public static string PostgresUser => Setting("PG_USER", "postgres");
    public static string? PostgresPassword => Setting("PG_PASSWORD", "") is { Length: > 0 } password ? password : null;

    public static string RabbitHost => Setting("RABBITMQ_HOST", "127.0.0.1");
    public static int RabbitPort => int.Parse(Setting("RABBITMQ_PORT", "5672"), CultureInfo.InvariantCulture);
    public static int RabbitManagementPort => int.Parse(Setting("RABBITMQ_MANAGEMENT_PORT", "15672"), CultureInfo.InvariantCulture);
    public static string RabbitUser => Setting("RABBITMQ_USER", "guest");
    public static string RabbitPassword => Setting("RABBITMQ_PASSWORD", "guest");

    /// <summary>True when servers are to be started in Docker rather than found running.</summary>
    public static bool StartsContainers =>
        Variable(ModeVariable, ContainersMode) switch
        {
            ContainersMode => true,
            RunningMode => false,
            var other => throw new InvalidOperationException(
                $"{ModeVariable}={other}: either {ContainersMode} (the default: Docker) or {RunningMode} (servers already running, {StartCommand})."),
        };

    /// <summary>
    /// The containers, once started, are described by the same variables as running servers, in this
    /// process's environment: every later read, and a drill that points everything at servers of its
    /// own by setting them, goes through one path.
    /// </summary>
    private static string Setting(string name, string fallback)
    {
        if (StartsContainers)
            _ = Containers.Value;
        return Variable(name, fallback);
    }

    private static ServerContainers StartContainers()
    {
        // Once per process, from whichever thread asks first; off xunit's synchronization context.
        var containers = Task.Run(() => ServerContainers.StartAsync(fixedPorts: false)).GetAwaiter().GetResult();
        foreach (var (name, value) in containers.Environment)
            Environment.SetEnvironmentVariable(name, value);
        // No resource reaper is assumed (TESTCONTAINERS_RYUK_DISABLED): the process removes its own.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => containers.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return containers;
    }

    private static string Variable(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
}
