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
        NpgsqlConnection.ClearAllPools();
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
        // Npgsql's default, as the services run with: a hundred purchases opening their connections at
        // once (ConcurrentPurchaseTests) took more than 5 s on two busy cores against the container,
        // which authenticates each with a password where the local server trusts loopback.
        Timeout = 15,
    };

    private static async Task<NpgsqlConnection> OpenAdminAsync()
    {
        var connection = new NpgsqlConnection(Settings("postgres").ConnectionString);
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
