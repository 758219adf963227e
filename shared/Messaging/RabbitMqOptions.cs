using System.ComponentModel.DataAnnotations;
using MassTransit;
using RabbitMQ.Client;

namespace Store.Messaging;

/// <summary>Settings of the <c>RabbitMq</c> configuration section: the broker, and how consumers take and retry messages.</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    public string Host { get; set; } = "127.0.0.1";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";

    /// <summary>
    /// RabbitMQ's management API (queue depths and rates for the operator's page), with the same
    /// user; default: port 15672 of <see cref="Host"/>.
    /// </summary>
    public string? ManagementUrl { get; set; }

    /// <summary>How many unacknowledged messages the broker hands each consumer queue at once.</summary>
    [Range(1, ushort.MaxValue)]
    public ushort PrefetchCount { get; set; } = 16;

    /// <summary>How many messages of one queue are handled at the same time.</summary>
    [Range(1, int.MaxValue)]
    public int ConcurrentMessageLimit { get; set; } = 8;

    /// <summary>
    /// Declare new consumer queues as quorum queues: replicated across a cluster's nodes, and on one
    /// node too cheaper for the broker than classic queues (docs/benchmarks.md). A queue that exists
    /// keeps the type it was declared with (<see cref="QueueTypes"/>).
    /// </summary>
    public bool QuorumQueues { get; set; } = true;

    /// <summary>
    /// Retries of a failing consumer, with exponential backoff, before the message goes to the
    /// queue's <c>_error</c> queue: the policy of the consumers whose definitions apply <see cref="ConfigureRetry"/>.
    /// </summary>
    [Range(0, 100)]
    public int RetryLimit { get; set; } = 5;

    public TimeSpan RetryMinInterval { get; set; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan RetryMaxInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <see cref="RetryLimit"/> retries in memory, the pause growing from <see cref="RetryMinInterval"/>
    /// to <see cref="RetryMaxInterval"/>; when they are used up, MassTransit moves the message to the
    /// queue's <c>_error</c> queue. For a consumer definition: <c>consumer.UseMessageRetry(rabbitMq.ConfigureRetry)</c>.
    /// </summary>
    public void ConfigureRetry(IRetryConfigurator retry) =>
        retry.Exponential(RetryLimit, RetryMinInterval, RetryMaxInterval, RetryMinInterval);

    /// <summary>A plain AMQP connection to this broker, for what MassTransit does not do (<paramref name="purpose"/> names it in the management UI).</summary>
    public ConnectionFactory ConnectionFactory(string purpose) => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = Username,
        Password = Password,
        ClientProvidedName = purpose,
    };

    /// <summary>
    /// How long a consumer's receive endpoint may go without consuming (not healthy) before
    /// <c>/health/live</c> fails, so that an orchestrator restarts a process whose endpoint stopped
    /// reconnecting for good (docs/architecture.md, "Failure drills"). Longer than MassTransit's own
    /// reconnect backoff (at most 30 s); a broker outage longer than this restarts the consumers too,
    /// which is harmless: their messages wait in the broker.
    /// </summary>
    public TimeSpan StuckEndpointTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
