using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Store.ServiceDefaults;

namespace Store.Testing;

/// <summary>A freshly created PostgreSQL database of its own, dropped again on dispose.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    /// <summary>Connects to this database.</summary>
    public string ConnectionString { get; }

    /// <summary>Options for a service's context on this database, configured as the service configures its own.</summary>
    public DbContextOptions<TDb> Options<TDb>()
        where TDb : DbContext =>
        new DbContextOptionsBuilder<TDb>().UseStoreDatabase(ConnectionString).Options;

    public static async Task<TestDatabase> CreateAsync(string prefix)
    {
        var name = $"test_{prefix}_{Guid.NewGuid():N}"[..40].ToLowerInvariant();
        await using (var admin = await OpenAdminAsync())
        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin))
            await create.ExecuteNonQueryAsync();

        var settings = Settings("postgres");
        settings.Database = name;
        return new TestDatabase(name, settings.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        // Only this database's own pool: clearing every pool in the process made the services of
        // every other test class still running reconnect at once (in CI, as such a burst met a test
        // of many purchases, some were 503 and another class could not connect to drop its database).
        // The drop below ends the connections of the services' pools on this database.
        await using (var own = new NpgsqlConnection(ConnectionString))
            NpgsqlConnection.ClearPool(own);
        await using var admin = await OpenAdminAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private static NpgsqlConnectionStringBuilder Settings(string database) => new()
    {
        Host = TestServers.PostgresHost,
        Port = TestServers.PostgresPort,
        Username = TestServers.PostgresUser,
        Password = TestServers.PostgresPassword,
        Database = database,
        // Twice Npgsql's default of 15 s: a hundred purchases opening their connections at once
        // (ConcurrentPurchaseTests) took more than 5 s on two busy cores against the container, which
        // authenticates each with a password where the local server trusts loopback; in one CI run, with
        // the other test processes and their containers beside it, opens failed after 15 s.
        Timeout = 30,
    };

    private static async Task<NpgsqlConnection> OpenAdminAsync()
    {
        // Not pooled: a pooled admin connection outlives a server restart (the drills restart
        // PostgreSQL) and fails the next class's CREATE or DROP; one connection per class costs little.
        var admin = Settings("postgres");
        admin.Pooling = false;
        var connection = new NpgsqlConnection(admin.ConnectionString);
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            await connection.DisposeAsync();
            throw new InvalidOperationException(
                $"PostgreSQL is not reachable at {TestServers.PostgresHost}:{TestServers.PostgresPort} ({e.Message}): " +
                $"start it with `{TestServers.StartCommand}`.", e);
        }
    }
}
