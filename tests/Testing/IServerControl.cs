namespace Store.Testing;

/// <summary>
/// A PostgreSQL and a RabbitMQ that a test may take down and bring back ("postgres", "rabbitmq"):
/// containers (<see cref="ServerContainers"/>) or, without Docker, processes run by infra/servers.sh.
/// </summary>
public interface IServerControl : IAsyncDisposable
{
    /// <summary>The variables that point <see cref="TestServers"/>, and the processes a test starts, at these servers.</summary>
    IReadOnlyDictionary<string, string> Environment { get; }

    Task StopAsync(string server);

    /// <summary>Starts a stopped server again, with its data and on its ports, and returns once it answers.</summary>
    Task StartAsync(string server);

    /// <summary>Freezes the server: its connections stay open and nothing is answered until <see cref="ResumeAsync"/>.</summary>
    Task PauseAsync(string server);

    Task ResumeAsync(string server);
}
