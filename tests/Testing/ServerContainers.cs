using System.Globalization;
using Docker.DotNet;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Store.Testing;

/// <summary>
/// A PostgreSQL and a RabbitMQ in Docker containers (Testcontainers), from the images the compose
/// file runs. <see cref="TestServers"/> starts one pair per test process; the drills start a pair of
/// their own and stop, start, pause and resume its containers.
/// </summary>
public sealed class ServerContainers : IServerControl
{
    public const string PostgresImage = "postgres:15";
    public const string RabbitMqImage = "rabbitmq:3-management";
    private const ushort ManagementPort = 15672;

    /// <summary>
    /// The label infra/test.sh finds its run's containers by, to remove any that a test process
    /// killed before its disposal left behind (TEST_RUN_ID; "none" outside infra/test.sh).
    /// </summary>
    public const string RunLabel = "store.tests.run";

    private readonly PostgreSqlContainer _postgres;
    private readonly RabbitMqContainer _rabbitMq;

    private ServerContainers(PostgreSqlContainer postgres, RabbitMqContainer rabbitMq)
    {
        _postgres = postgres;
        _rabbitMq = rabbitMq;
    }

    /// <summary>
    /// Starts both containers. With <paramref name="fixedPorts"/> their host ports are chosen once
    /// and kept across a stop and start, as a restarted server keeps its address (Docker gives a
    /// randomly published port a new number on every start).
    /// </summary>
    public static async Task<ServerContainers> StartAsync(bool fixedPorts)
    {
        var run = System.Environment.GetEnvironmentVariable("TEST_RUN_ID") is { Length: > 0 } id ? id : "none";
        var postgres = new PostgreSqlBuilder()
            .WithImage(PostgresImage)
            .WithLabel(RunLabel, run)
            // The builder's own flags (fsync off and the like) follow as the command: the entrypoint
            // is named with "postgres" so that any image's entrypoint gets a whole server command line.
            .WithEntrypoint("docker-entrypoint.sh", "postgres")
            // Every test class has its own database, and each service under test its own pool.
            .WithCommand("-c", "max_connections=500")
            // The builder turns synchronous_commit off, so a killed server loses commits it had
            // acknowledged: a drill saw e-mails for orders that were gone after PostgreSQL's restart.
            // The services rely on a commit being a commit (fsync stays off: only a machine crash needs it).
            .WithCommand("-c", "synchronous_commit=on")
            .WithPortBinding(HostPort(fixedPorts), Port(PostgreSqlBuilder.PostgreSqlPort))
            .Build();
        var rabbitMq = new RabbitMqBuilder()
            .WithImage(RabbitMqImage)
            .WithLabel(RunLabel, run)
            .WithPortBinding(HostPort(fixedPorts), Port(RabbitMqBuilder.RabbitMqPort))
            .WithPortBinding(HostPort(fixedPorts), Port(ManagementPort))
            // RabbitMQ logs "Server startup complete" (the builder's wait) before its management plugin
            // answers, and the tests make their vhosts through the management API. Waits run again
            // on every start, a drill's restart included.
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(request => request
                .ForPort(ManagementPort).ForPath("/api/overview")
                .WithBasicAuthentication(RabbitMqBuilder.DefaultUsername, RabbitMqBuilder.DefaultPassword)))
            .Build();
        var containers = new ServerContainers(postgres, rabbitMq);
        try
        {
            await Task.WhenAll(postgres.StartAsync(), rabbitMq.StartAsync());
        }
        catch (Exception e)
        {
            await containers.DisposeAsync();
            throw new InvalidOperationException(
                $"The test servers could not be started in Docker ({e.Message}). Start Docker, or run the tests on servers " +
                $"started with `{TestServers.StartCommand}` and {TestServers.ModeVariable}={TestServers.RunningMode} " +
                "(infra/test.sh does that where Docker is missing).", e);
        }
        return containers;
    }

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        [TestServers.ModeVariable] = TestServers.RunningMode,
        ["PG_HOST"] = _postgres.Hostname,
        ["PG_PORT"] = Port(_postgres.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort)),
        ["PG_USER"] = PostgreSqlBuilder.DefaultUsername,
        ["PG_PASSWORD"] = PostgreSqlBuilder.DefaultPassword,
        ["RABBITMQ_HOST"] = _rabbitMq.Hostname,
        ["RABBITMQ_PORT"] = Port(_rabbitMq.GetMappedPublicPort(RabbitMqBuilder.RabbitMqPort)),
        ["RABBITMQ_MANAGEMENT_PORT"] = Port(_rabbitMq.GetMappedPublicPort(ManagementPort)),
        ["RABBITMQ_USER"] = RabbitMqBuilder.DefaultUsername,
        ["RABBITMQ_PASSWORD"] = RabbitMqBuilder.DefaultPassword,
    };

    /// <summary>Stops the server's container (SIGINT for PostgreSQL's fast shutdown, SIGTERM for RabbitMQ); its data stays.</summary>
    public Task StopAsync(string server) => Container(server).StopAsync();

    /// <summary>Starts the stopped container again, on the same ports, and waits until the server answers.</summary>
    public Task StartAsync(string server) => Container(server).StartAsync();

    /// <summary>Freezes every process of the server (docker pause): connections stay open, nothing is answered.</summary>
    public async Task PauseAsync(string server)
    {
        using var docker = DockerClient();
        await docker.Containers.PauseContainerAsync(Container(server).Id);
    }

    public async Task ResumeAsync(string server)
    {
        using var docker = DockerClient();
        await docker.Containers.UnpauseContainerAsync(Container(server).Id);
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_postgres.DisposeAsync().AsTask(), _rabbitMq.DisposeAsync().AsTask());
    }

    private IContainer Container(string server) => server switch
    {
        "postgres" => _postgres,
        "rabbitmq" => _rabbitMq,
        _ => throw new ArgumentOutOfRangeException(nameof(server), server, "Either postgres or rabbitmq."),
    };

    /// <summary>A port chosen now, or none: Docker picks one when the container starts.</summary>
    private static string HostPort(bool fixedPorts) => fixedPorts ? Port(ServiceProcess.FreePort()) : string.Empty;

    private static DockerClient DockerClient() =>
        TestcontainersSettings.OS.DockerEndpointAuthConfig.GetDockerClientConfiguration().CreateClient();

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
