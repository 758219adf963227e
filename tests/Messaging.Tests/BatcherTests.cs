using System.Collections.Concurrent;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Store.Testing;

namespace Store.Messaging.Tests;

/// <summary>How many times each message reached the consumer, and how often its work ran and was kept.</summary>
public sealed class ConsumerLog
{
    public ConcurrentDictionary<Guid, int> Attempts { get; } = new();
    public ConcurrentDictionary<Guid, int> Skipped { get; } = new();

    /// <summary>Messages whose note key says how many attempts fail: "fail-2-..." fails twice, "fail-always-..." always.</summary>
    public static int FailuresFor(string key) =>
        key.StartsWith("fail-always-", StringComparison.Ordinal) ? int.MaxValue
        : key.StartsWith("fail-2-", StringComparison.Ordinal) ? 2
        : 0;
}

/// <summary>The test service's consumer: copies the note into its own table, once per message, through the inbox.</summary>
public sealed class NoteCopier(TestDb db, ConsumerLog log) : IConsumer<NoteWritten>
{
    public async Task Consume(ConsumeContext<NoteWritten> context)
    {
        var attempt = log.Attempts.AddOrUpdate(context.MessageId!.Value, 1, (_, n) => n + 1);
        var handled = await db.HandleOnceAsync(context, nameof(NoteCopier), _ =>
        {
            db.Copies.Add(new NoteCopy { EventId = context.Message.EventId, NoteId = context.Message.NoteId });
            if (attempt <= ConsumerLog.FailuresFor(context.Message.Key))
                throw new InvalidOperationException($"Attempt {attempt} fails on purpose.");
            return Task.CompletedTask;
        });
        if (!handled)
            log.Skipped.AddOrUpdate(context.MessageId!.Value, 1, (_, n) => n + 1);
    }
}

/// <summary>The inbox and the consumer retry policy against the real PostgreSQL and RabbitMQ.</summary>
public sealed class InboxTests(MessagingServers servers) : IClassFixture<MessagingServers>, IAsyncLifetime
{
    private const int RetryLimit = 3;
    private readonly ConsumerLog _log = new();
    private TestService _service = null!;

    public async Task InitializeAsync() =>
        _service = await servers.StartServiceAsync(
            publish: false,
            consumers: bus => bus.AddConsumer<NoteCopier>(),
            services: services => services.AddSingleton(_log),
            settings: new Dictionary<string, string>
            {
                ["RabbitMq:RetryLimit"] = RetryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["RabbitMq:RetryMinInterval"] = "00:00:00.050",
                ["RabbitMq:RetryMaxInterval"] = "00:00:00.200",
            });

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private async Task<NoteWritten> PublishAsync(string key, Guid? messageId = null)
    {
        var message = NoteWritten.For(new Note { Id = Random.Shared.Next(1, 1_000_000), Key = key, Sequence = 1 });
        await _service.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = messageId ?? message.EventId);
        return message;
    }

    private async Task<int> CopiesOfAsync(Guid eventId)
    {
        await using var db = servers.NewDb();
        return await db.Copies.CountAsync(c => c.EventId == eventId);
    }

    private Task<int> AttemptsOfAsync(Guid messageId, int atLeast) =>
        Eventually.GetAsync(() => Task.FromResult(_log.Attempts.GetValueOrDefault(messageId)), n => n >= atLeast,
            TimeSpan.FromSeconds(30), $"{atLeast} attempt(s) of {messageId}");

    [Fact]
    public async Task A_message_is_handled_and_its_effect_and_inbox_row_are_saved()
    {
        var message = await PublishAsync($"ok-{Guid.NewGuid():N}");

        await AttemptsOfAsync(message.EventId, 1);

        await Eventually.GetAsync(() => CopiesOfAsync(message.EventId), n => n == 1, TimeSpan.FromSeconds(10), "the copy");
        await using var db = servers.NewDb();
        var inbox = await db.Set<InboxMessage>().SingleAsync(m => m.MessageId == message.EventId);
        Assert.Equal(nameof(NoteCopier), inbox.Consumer);
    }

    [Fact]
    public async Task A_duplicate_delivery_is_acknowledged_and_skipped()
    {
        var message = await PublishAsync($"dup-{Guid.NewGuid():N}");
        await AttemptsOfAsync(message.EventId, 1);

        await _service.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = message.EventId);

        await AttemptsOfAsync(message.EventId, 2);
        await Eventually.GetAsync(() => Task.FromResult(_log.Skipped.GetValueOrDefault(message.EventId)), n => n == 1,
            TimeSpan.FromSeconds(10), "the duplicate to be skipped");
        Assert.Equal(1, await CopiesOfAsync(message.EventId));
    }

    [Fact]
    public async Task A_consumer_that_fails_twice_is_retried_and_its_effect_happens_once()
    {
        var message = await PublishAsync($"fail-2-{Guid.NewGuid():N}");

        await AttemptsOfAsync(message.EventId, 3);

        await Eventually.GetAsync(() => CopiesOfAsync(message.EventId), n => n == 1, TimeSpan.FromSeconds(10), "the copy");
        Assert.Equal(3, _log.Attempts[message.EventId]);
        Assert.Equal(0, _log.Skipped.GetValueOrDefault(message.EventId));
    }

    [Fact]
    public async Task A_consumer_that_always_fails_sends_the_message_to_its_error_queue_after_the_retries()
    {
        var message = await PublishAsync($"fail-always-{Guid.NewGuid():N}");

        await AttemptsOfAsync(message.EventId, RetryLimit + 1);

        // The queue is named after the consumer (kebab-case); MassTransit moves what failed to <queue>_error.
        await Eventually.GetAsync(() => servers.Vhost.CountMessagesAsync("note-copier_error"), n => n == 1,
            TimeSpan.FromSeconds(30), "one message in note-copier_error");
        Assert.Equal(RetryLimit + 1, _log.Attempts[message.EventId]);
        Assert.Equal(0, await CopiesOfAsync(message.EventId));
    }

    [Fact]
    public async Task Two_deliveries_of_one_message_at_the_same_moment_take_effect_once()
    {
        var messageId = Guid.NewGuid();
        var firstInside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task<bool> DeliverAsync(Func<Task> during)
        {
            await using var scope = _service.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TestDb>();
            return await db.HandleOnceAsync(messageId, nameof(NoteCopier), async _ =>
            {
                db.Copies.Add(new NoteCopy { EventId = messageId, NoteId = 1 });
                await during();
            }, CancellationToken.None);
        }

        var first = DeliverAsync(async () =>
        {
            firstInside.SetResult();
            await releaseFirst.Task;
        });
        await firstInside.Task;
        var second = DeliverAsync(() => Task.CompletedTask);
        // The second waits on the first one's inbox row: PostgreSQL shows it waiting for a lock.
        await Eventually.GetAsync(async () =>
        {
            await using var db = servers.NewDb();
            return await db.Database.SqlQuery<int>(
                $"SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").SingleAsync();
        }, n => n == 1, TimeSpan.FromSeconds(10), "the second delivery to wait for the first");
        releaseFirst.SetResult();

        Assert.True(await first);
        Assert.False(await second);
        Assert.Equal(1, await CopiesOfAsync(messageId));
    }
}
