using System.Collections.Concurrent;
using MassTransit;

namespace Store.Testing;

public static class EventCollector
{
    /// <summary>Starts collecting <typeparamref name="T"/> messages published on <paramref name="vhost"/>.</summary>
    public static async Task<EventCollector<T>> StartAsync<T>(string vhost)
        where T : class
    {
        var collector = new EventCollector<T>(vhost);
        await collector.StartAsync();
        return collector;
    }
}

/// <summary>One message as a consumer received it.</summary>
public sealed record Delivery<T>(T Message, Guid? MessageId, Guid? CorrelationId, string? RequestId, DateTimeOffset ReceivedAt);

/// <summary>
/// A consumer of <typeparamref name="T"/> on a test's RabbitMQ vhost, connected straight to the
/// server: it binds a queue of its own to the event's exchange and records every delivery, one at a
/// time, in arrival order. Start it before the events are published (an exchange without a bound
/// queue drops them).
/// </summary>
public sealed class EventCollector<T> : IAsyncDisposable
    where T : class
{
    private readonly ConcurrentQueue<Delivery<T>> _deliveries = new();
    private readonly IBusControl _bus;

    internal EventCollector(string vhost)
    {
        _bus = Bus.Factory.CreateUsingRabbitMq(broker =>
        {
            broker.Host(TestServers.RabbitHost, (ushort)TestServers.RabbitPort, vhost, host =>
            {
                host.Username(TestServers.RabbitUser);
                host.Password(TestServers.RabbitPassword);
            });
            broker.ReceiveEndpoint($"test-collector-{typeof(T).Name}-{Guid.NewGuid():N}", queue =>
            {
                queue.AutoDelete = true;
                queue.Durable = false;
                queue.PrefetchCount = 64;
                queue.ConcurrentMessageLimit = 1;
                queue.Handler<T>(context =>
                {
                    _deliveries.Enqueue(new Delivery<T>(
                        context.Message, context.MessageId, context.CorrelationId,
                        context.Headers.Get<string>("X-Request-Id"), DateTimeOffset.UtcNow));
                    return Task.CompletedTask;
                });
            });
        });
    }

    /// <summary>Everything received so far, in arrival order.</summary>
    public IReadOnlyList<Delivery<T>> Deliveries => [.. _deliveries];

    internal async Task StartAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _bus.StartAsync(timeout.Token);
    }

    /// <summary>The deliveries matching <paramref name="match"/>, once there are at least <paramref name="count"/>.</summary>
    public Task<IReadOnlyList<Delivery<T>>> WaitForAsync(int count, Func<T, bool> match, TimeSpan? timeout = null) =>
        Eventually.GetAsync(
            () => Task.FromResult<IReadOnlyList<Delivery<T>>>([.. _deliveries.Where(d => match(d.Message))]),
            deliveries => deliveries.Count >= count,
            timeout ?? TimeSpan.FromSeconds(30),
            $"{count} {typeof(T).Name} message(s)");

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _bus.StopAsync(timeout.Token);
    }
}
