using System.Net.Http.Headers;
using System.Text;

namespace Store.Testing;

/// <summary>A RabbitMQ virtual host of its own (exchanges and queues apart from every other test's), deleted on dispose.</summary>
public sealed class TestVhost : IAsyncDisposable
{
    private static readonly HttpClient Management = CreateManagementClient();

    private TestVhost(string name) => Name = name;

    public string Name { get; }

    public static async Task<TestVhost> CreateAsync(string prefix)
    {
        var name = $"test-{prefix}-{Guid.NewGuid():N}";
        await SendAsync(HttpMethod.Put, $"vhosts/{name}", "{}");
        await SendAsync(HttpMethod.Put, $"permissions/{name}/{Uri.EscapeDataString(TestServers.RabbitUser)}",
            """{"configure":".*","write":".*","read":".*"}""");
        return new TestVhost(name);
    }

    /// <summary>The queue <see cref="BindStandInConsumersAsync"/> declares.</summary>
    public const string StandInQueue = "stand-in-consumers";

    /// <summary>
    /// A queue bound to every event's exchange, standing in for the consumers a deployment has (the
    /// audit log takes every event). The relays publish mandatory, so without any queue an event
    /// would stay in the outbox, returned by the broker. Nothing consumes it; it keeps the newest
    /// 1,000 messages.
    /// </summary>
    public async Task BindStandInConsumersAsync()
    {
        var vhost = Uri.EscapeDataString(Name);
        await SendAsync(HttpMethod.Put, $"queues/{vhost}/{StandInQueue}",
            """{"durable":true,"auto_delete":false,"arguments":{"x-max-length":1000}}""");
        var events = typeof(Store.Contracts.IntegrationEvent).Assembly.GetExportedTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false } && type.IsAssignableTo(typeof(Store.Contracts.IntegrationEvent)));
        foreach (var type in events)
        {
            // MassTransit's name for the event's exchange, declared as it declares it (fanout, durable).
            var exchange = Uri.EscapeDataString($"{type.Namespace}:{type.Name}");
            await SendAsync(HttpMethod.Put, $"exchanges/{vhost}/{exchange}",
                """{"type":"fanout","durable":true,"auto_delete":false,"internal":false,"arguments":{}}""");
            await SendAsync(HttpMethod.Post, $"bindings/{vhost}/e/{exchange}/q/{StandInQueue}", "{}");
        }
    }

    /// <summary>Declares a durable queue of this vhost, a quorum queue or (no arguments, as MassTransit declares one) a classic queue.</summary>
    public Task DeclareQueueAsync(string queue, bool quorum) =>
        SendAsync(HttpMethod.Put, $"queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}",
            quorum ? """{"durable":true,"auto_delete":false,"arguments":{"x-queue-type":"quorum"}}""" : """{"durable":true,"auto_delete":false,"arguments":{}}""");

    /// <summary>The type of a queue of this vhost (<c>classic</c> or <c>quorum</c>), as the management API reports it.</summary>
    public async Task<string> QueueTypeAsync(string queue)
    {
        using var response = await Management.GetAsync($"queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("type").GetString()!;
    }

    /// <summary>Deletes an exchange of this vhost, and with it every binding from it or to it.</summary>
    public Task DeleteExchangeAsync(string exchange) =>
        SendAsync(HttpMethod.Delete, $"exchanges/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(exchange)}", null);

    /// <summary>
    /// Deletes a queue of this vhost that holds no message (and throws if it holds any). Checked, then
    /// deleted: a quorum queue does not take the broker's if-empty flag, so nothing may publish to the
    /// queue meanwhile, and the management API's count must be older than the last message (poll first).
    /// </summary>
    public async Task DeleteEmptyQueueAsync(string queue)
    {
        var waiting = await CountMessagesAsync(queue);
        if (waiting != 0)
            throw new InvalidOperationException(waiting is null ? $"There is no queue {queue} in {Name}." : $"Queue {queue} of {Name} holds {waiting} message(s); not deleted.");
        await SendAsync(HttpMethod.Delete, $"queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}", null);
    }

    public async ValueTask DisposeAsync() => await SendAsync(HttpMethod.Delete, $"vhosts/{Name}", null);

    /// <summary>
    /// How many messages wait in <paramref name="queue"/> of this vhost, as the management API
    /// reports it (its statistics lag by a few seconds: poll); null when there is no such queue.
    /// </summary>
    public async Task<int?> CountMessagesAsync(string queue)
    {
        using var response = await Management.GetAsync($"queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("messages", out var messages) ? messages.GetInt32() : 0;
    }

    private static async Task SendAsync(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await Management.SendAsync(request);
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException(
                $"RabbitMQ's management API is not reachable at {Management.BaseAddress} ({e.Message}): " +
                $"start it with `{TestServers.StartCommand}`.", e);
        }
        using (response)
            response.EnsureSuccessStatusCode();
    }

    private static HttpClient CreateManagementClient()
    {
        var client = new HttpClient
        {
            BaseAddress = new Uri($"http://{TestServers.RabbitHost}:{TestServers.RabbitManagementPort}/api/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestServers.RabbitUser}:{TestServers.RabbitPassword}"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        return client;
    }
}
