using System.Globalization;

namespace Store.Testing;

/// <summary>
/// The configuration a service under test runs with, as <see cref="ServiceProcess"/> settings: the
/// same as <see cref="ServiceFactory{TEntryPoint}"/> gives a service hosted in memory.
/// </summary>
public static class ServiceSettings
{
    /// <summary>
    /// A service on <paramref name="database"/> (its connection string <c>ConnectionStrings:{connectionName}</c>)
    /// and RabbitMQ <paramref name="vhost"/>, trusting <see cref="TestTokens"/>, logging warnings and worse.
    /// </summary>
    public static Dictionary<string, string?> For(string connectionName, TestDatabase database, TestVhost vhost) => new()
    {
        [$"ConnectionStrings:{connectionName}"] = database.ConnectionString,
        ["Auth:Jwks"] = TestTokens.Jwks,
        ["Auth:JwksUrl"] = null,
        ["RabbitMq:Host"] = TestServers.RabbitHost,
        ["RabbitMq:Port"] = TestServers.RabbitPort.ToString(CultureInfo.InvariantCulture),
        ["RabbitMq:VirtualHost"] = vhost.Name,
        ["RabbitMq:Username"] = TestServers.RabbitUser,
        ["RabbitMq:Password"] = TestServers.RabbitPassword,
        ["RabbitMq:ManagementUrl"] = $"http://{TestServers.RabbitHost}:{TestServers.RabbitManagementPort.ToString(CultureInfo.InvariantCulture)}/",
        ["Logging:LogLevel:Default"] = "Warning",
    };
}
