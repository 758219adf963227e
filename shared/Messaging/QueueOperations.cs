using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Store.Contracts;
using Store.ServiceDefaults;

namespace Store.Messaging;

/// <summary>
/// The queues a consuming service reads, for its operators (admin; the gateway's <c>/ops</c> page
/// shows them): <c>GET {prefix}/queues</c>, each queue's depth, consumers and rates with its
/// <c>_error</c> queue's depth, from RabbitMQ's management API; and <c>POST
/// {prefix}/queues/{queue}/replay</c>, which moves the <c>_error</c> queue's messages back to be
/// consumed again and records that in the audit log (<see cref="ErrorMessagesReplayed"/>).
/// </summary>
public static partial class QueueOperations
{
    internal const string ManagementClient = "rabbitmq-management";

    /// <summary>How long one replay may move messages, and then how long its record may take: under the gateway's 30 s timeout.</summary>
    private static readonly TimeSpan ReplayBudget = TimeSpan.FromSeconds(10);

    /// <summary>Headers MassTransit adds when it moves a message to _error: the replayed message is the original again.</summary>
    private static readonly string[] FaultHeaderPrefixes = ["MT-Fault-", "MT-Reason", "MT-Host-"];

    /// <summary>The management API's client, with the broker's user (<see cref="RabbitMqOptions.ManagementUrl"/>).</summary>
    internal static void AddManagementClient(IServiceCollection services)
    {
        services.AddHttpClient(ManagementClient, (services, client) =>
        {
            var rabbitMq = services.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
            var address = rabbitMq.ManagementUrl is { Length: > 0 } url ? url : $"http://{rabbitMq.Host}:15672/";
            client.BaseAddress = new Uri(address.EndsWith('/') ? $"{address}api/" : $"{address}/api/");
            client.Timeout = TimeSpan.FromSeconds(5);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{rabbitMq.Username}:{rabbitMq.Password}")));
        });
    }

    /// <summary>Maps the queues' admin endpoints under <paramref name="prefix"/> (the service's own path, e.g. "/api/audit").</summary>
    public static IEndpointRouteBuilder MapQueueOperations(this IEndpointRouteBuilder app, string prefix)
    {
        var queues = app.MapGroup($"{prefix}/queues").WithTag(OutboxOperations.Tag, OutboxOperations.TagDescription)
            .RequireAuthorization(Roles.Admin)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        queues.MapGet("/", ListAsync).WithName("ListQueues")
            .WithSummary("The queues this service consumes: depth, consumers, rates per second, and the depth of each one's _error queue (admin).");
        queues.MapPost("/{queue}/replay", ReplayAsync).WithName("ReplayErrorQueue")
            .WithSummary("Moves the messages of the queue's _error queue back to it, to be consumed again; recorded in the audit log (admin).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<QueueStatus[]>, ProblemHttpResult>> ListAsync(
        IBusControl bus, IHttpClientFactory clients, IOptions<RabbitMqOptions> options, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(ManagementClient);
        var vhost = Uri.EscapeDataString(options.Value.VirtualHost);
        try
        {
            var queues = await Task.WhenAll(QueuesOf(bus).Select(async name =>
            {
                var queue = await GetQueueAsync(client, vhost, name, cancellationToken);
                var errors = await GetQueueAsync(client, vhost, ErrorQueue(name), cancellationToken);
                return new QueueStatus(name,
                    Count(queue, "messages"), Count(queue, "messages_ready"), Count(queue, "messages_unacknowledged"), Count(queue, "consumers"),
                    Rate(queue, "publish_details"), Rate(queue, "deliver_get_details"), Rate(queue, "ack_details"),
                    ErrorQueue(name), Count(errors, "messages"));
            }));
            return TypedResults.Ok(queues);
        }
        catch (HttpRequestException e)
        {
            return ManagementUnavailable(client, e.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ManagementUnavailable(client, "no answer in time");
        }
    }

    /// <summary>
    /// Over AMQP, one message at a time: taken from _error unacknowledged, published to the queue
    /// (mandatory, confirmed), and only then acknowledged. A crash in between leaves the message in
    /// _error as well as in the queue, never in neither; the consumers' unique event_id makes the
    /// second delivery a no-op. At most the messages there when it began are moved, so one that
    /// fails again meanwhile is not replayed in a loop.
    /// </summary>
    private static async Task<Results<Ok<ReplayResult>, ProblemHttpResult>> ReplayAsync(
        string queue, IBusControl bus, IOptions<RabbitMqOptions> options, EventOrigin origin,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!QueuesOf(bus).Contains(queue, StringComparer.Ordinal))
            return Problems.NotFound("Queue", $"{queue} of this service");

        var factory = options.Value.ConnectionFactory($"replay {queue}");
        var replayed = 0;
        // Its own deadline, not the request's: a caller or gateway giving up midway must not stop the
        // record of what was already moved. What is left when it runs out stays in _error.
        using var budget = new CancellationTokenSource(ReplayBudget);
        cancellationToken = budget.Token;
        try
        {
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            await using var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            uint waiting;
            try
            {
                waiting = (await channel.QueueDeclarePassiveAsync(ErrorQueue(queue), cancellationToken)).MessageCount;
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
                waiting = 0; // No message has failed yet, so MassTransit never declared the _error queue.
            }
            for (; replayed < waiting; replayed++)
            {
                if (await channel.BasicGetAsync(ErrorQueue(queue), autoAck: false, cancellationToken) is not { } message)
                    break;
                var properties = new BasicProperties(message.BasicProperties);
                if (properties.Headers is { } headers)
                    properties.Headers = headers.Where(h => !FaultHeaderPrefixes.Any(p => h.Key.StartsWith(p, StringComparison.Ordinal)))
                        .ToDictionary(h => h.Key, h => h.Value);
                await channel.BasicPublishAsync("", queue, mandatory: true, properties, message.Body, cancellationToken);
                await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
            }
        }
        catch (Exception e) when (e is BrokerUnreachableException or OperationInterruptedException or RabbitMQ.Client.Exceptions.PublishException
                                       or AlreadyClosedException or OperationCanceledException or TimeoutException)
        {
            LogReplayFailed(loggers.CreateLogger(typeof(QueueOperations).FullName!), queue, replayed, e);
            if (replayed == 0)
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                    detail: $"The broker refused the replay of {ErrorQueue(queue)}: {e.Message}. Nothing was moved.");
        }

        var recorded = true;
        try
        {
            using var publishTimeout = new CancellationTokenSource(ReplayBudget);
            await bus.Publish(origin.Stamp(new ErrorMessagesReplayed(queue, replayed)), context =>
            {
                context.MessageId = origin.EventId;
                context.Headers.Set(RequestIdMiddleware.HeaderName, origin.CorrelationId);
                // Returned rather than dropped when no audit log has bound a queue for it.
                if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
                    rabbit.Mandatory = true;
            }, publishTimeout.Token);
        }
        catch (Exception e)
        {
            recorded = false;
            LogNotRecorded(loggers.CreateLogger(typeof(QueueOperations).FullName!), queue, e);
        }
        return TypedResults.Ok(new ReplayResult(queue, replayed, recorded));
    }

    /// <summary>The queues of this process's receive endpoints (their input addresses' last segment).</summary>
    private static IEnumerable<string> QueuesOf(IBusControl bus) =>
        bus.CheckHealth().Endpoints.Values
            .Select(endpoint => endpoint.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault())
            .OfType<string>()
            .Where(name => !name.Contains("_bus_", StringComparison.Ordinal)) // the bus's own reply queue: nothing consumes events there
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

    private static string ErrorQueue(string queue) => $"{queue}_error";

    /// <summary>The queue as the management API reports it; null when there is none (an _error queue before the first failure).</summary>
    private static async Task<JsonElement?> GetQueueAsync(HttpClient client, string vhost, string queue, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync($"queues/{vhost}/{Uri.EscapeDataString(queue)}", cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync<JsonElement>(body, cancellationToken: cancellationToken);
    }

    private static int Count(JsonElement? queue, string field) =>
        queue is { } q && q.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : 0;

    /// <summary>Messages per second over the management API's last sample (0 while there is no traffic).</summary>
    private static double Rate(JsonElement? queue, string field) =>
        queue is { } q && q.TryGetProperty("message_stats", out var stats) && stats.TryGetProperty(field, out var details)
            && details.TryGetProperty("rate", out var rate) && rate.ValueKind == JsonValueKind.Number
            ? Math.Round(rate.GetDouble(), 1)
            : 0;

    private static ProblemHttpResult ManagementUnavailable(HttpClient client, string error) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
            detail: $"RabbitMQ's management API at {client.BaseAddress} did not answer ({error}); RabbitMq:ManagementUrl says where it is.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replay of {Queue}_error stopped after {Replayed} message(s)")]
    private static partial void LogReplayFailed(ILogger logger, string queue, int replayed, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The replay of {Queue}_error is not in the audit log: ErrorMessagesReplayed was not published (no queue takes it, or the broker did not confirm it)")]
    private static partial void LogNotRecorded(ILogger logger, string queue, Exception error);
}
