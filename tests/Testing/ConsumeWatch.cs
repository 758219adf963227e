using System.Collections.Concurrent;
using MassTransit;

namespace Store.Testing;

/// <summary>
/// Watches a service's bus (hosted in the test process) and remembers which messages its consumers
/// have handled successfully, so a test waits for exactly those instead of for a side effect.
/// </summary>
public sealed class ConsumeWatch : IConsumeObserver, IDisposable
{
    private readonly ConcurrentDictionary<Guid, int> _consumed = new();
    private readonly ConnectHandle _handle;

    public ConsumeWatch(IBus bus) => _handle = bus.ConnectConsumeObserver(this);

    /// <summary>Waits until every one of <paramref name="messageIds"/> has been consumed successfully.</summary>
    public Task WaitForAsync(params Guid[] messageIds) =>
        Eventually.GetAsync(
            () => Task.FromResult(messageIds.Count(_consumed.ContainsKey)),
            consumed => consumed == messageIds.Length,
            TimeSpan.FromSeconds(30),
            $"{messageIds.Length} message(s) consumed");

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        if (context.MessageId is { } id)
            _consumed.AddOrUpdate(id, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;

    public void Dispose() => _handle.Disconnect();
}
