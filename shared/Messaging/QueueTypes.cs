using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client.Exceptions;
using Store.Contracts;

namespace Store.Messaging;

/// <summary>
/// Which of the consumers' durable queues (<see cref="Subscriptions.Queues"/>) are quorum queues. A
/// queue's type is fixed when it is first declared: a queue that does not exist yet is declared as
/// <c>RabbitMq:QuorumQueues</c> asks (quorum by default), and one that exists keeps its type, so a
/// classic queue declared by an earlier version goes on working (the README's "Queue types" says how
/// to move it). Found once per process by declaring each queue as asked: the broker refuses (406) a
/// queue that exists as the other type. The consumers' endpoints (<see cref="MessagingExtensions.AddMessaging"/>)
/// and the publishers' declarations (<see cref="SubscriptionTopology"/>) both follow it.
/// </summary>
public sealed partial class QueueTypes(IOptions<RabbitMqOptions> options, ILogger<QueueTypes> logger) : IDisposable
{
    /// <summary>How long a service's start waits for the answer before it assumes the configured type.</summary>
    private static readonly TimeSpan StartBudget = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _probing = new(1, 1);
    private IReadOnlyDictionary<string, bool>? _quorum;

    /// <summary>The arguments of a queue declaration of this type.</summary>
    public static Dictionary<string, object?>? Arguments(bool quorum) => quorum ? new() { ["x-queue-type"] = "quorum" } : null;

    /// <summary>Whether <paramref name="queue"/>, one of <see cref="Subscriptions.Queues"/>, is a quorum queue; declares the queues not yet there.</summary>
    public async Task<bool> IsQuorumAsync(string queue, CancellationToken cancellationToken) =>
        (_quorum ?? await ProbeAsync(cancellationToken))[queue];

    /// <summary>
    /// For MassTransit's endpoint configuration, which is synchronous and runs once as the bus is
    /// built. A queue not in <see cref="Subscriptions.Queues"/> (an instance's own queue) is the
    /// configured type, and so is every queue while the broker cannot answer: a queue that exists as
    /// the other type then fails its endpoint (unhealthy, <c>/health/live</c>) until a restart.
    /// </summary>
    public bool IsQuorum(string queue)
    {
        var configured = options.Value.QuorumQueues;
        if (!Subscriptions.Queues.ContainsKey(queue))
            return configured;
        try
        {
            using var budget = new CancellationTokenSource(StartBudget);
            return IsQuorumAsync(queue, budget.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException
                                       or OperationCanceledException or TimeoutException or IOException)
        {
            LogUnknown(logger, queue, configured ? "quorum" : "classic", e);
            return configured;
        }
    }

    private async Task<IReadOnlyDictionary<string, bool>> ProbeAsync(CancellationToken cancellationToken)
    {
        await _probing.WaitAsync(cancellationToken);
        try
        {
            if (_quorum is { } known)
                return known;
            var asked = options.Value.QuorumQueues;
            await using var connection = await options.Value.ConnectionFactory("queue types").CreateConnectionAsync(cancellationToken);
            var quorum = new Dictionary<string, bool>();
            foreach (var queue in Subscriptions.Queues.Keys)
            {
                // A refused declaration closes its channel: one channel per queue.
                await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                try
                {
                    await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, Arguments(asked), cancellationToken: cancellationToken);
                    quorum[queue] = asked;
                }
                catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 406)
                {
                    quorum[queue] = !asked;
                    LogKept(logger, queue, asked ? "classic" : "quorum", asked ? "quorum" : "classic");
                }
            }
            return _quorum = quorum;
        }
        finally
        {
            _probing.Release();
        }
    }

    public void Dispose() => _probing.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue} exists as a {Type} queue and is used as one; new queues are {Asked} queues (README, \"Queue types\")")]
    private static partial void LogKept(ILogger logger, string queue, string type, string asked);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The type of queue {Queue} could not be asked of the broker; declaring it as a {Type} queue")]
    private static partial void LogUnknown(ILogger logger, string queue, string type, Exception exception);
}
