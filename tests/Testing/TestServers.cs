namespace Store.Testing;

/// <summary>
/// Where the real PostgreSQL and RabbitMQ run: the same variables and defaults as infra/servers.sh,
/// so `infra/servers.sh start` and the tests agree without configuration.
/// </summary>
public static class TestServers
{
    public const string StartCommand = "infra/servers.sh start";

    public static string PostgresHost => Env("PG_HOST", "127.0.0.1");
    public static int PostgresPort => int.Parse(Env("PG_PORT", "5432"), System.Globalization.CultureInfo.InvariantCulture);
    public static string PostgresUser => Env("PG_USER", "postgres");
    public static string? PostgresPassword => Environment.GetEnvironmentVariable("PG_PASSWORD");

    public static string RabbitHost => Env("RABBITMQ_HOST", "127.0.0.1");
    public static int RabbitPort => int.Parse(Env("RABBITMQ_PORT", "5672"), System.Globalization.CultureInfo.InvariantCulture);
    public static int RabbitManagementPort =>
        int.Parse(Env("RABBITMQ_MANAGEMENT_PORT", "15672"), System.Globalization.CultureInfo.InvariantCulture);
    public static string RabbitUser => Env("RABBITMQ_USER", "guest");
    public static string RabbitPassword => Env("RABBITMQ_PASSWORD", "guest");

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
}
