using System.Collections.Concurrent;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Store.Testing;

namespace Store.Messaging.Tests;

/// <summary>What the test consumer saw: each message's attempts, and the size of every batch its writer ran.</summary>
public sealed class ConsumerLog
{
    public ConcurrentDictionary<Guid, int> Attempts { get; } = new();
    public ConcurrentQueue<int> Batches { get; } = new();

    /// <summary>Messages whose note key says how many of their batches fail: "fail-2-..." the first two.</summary>
    public static int FailuresFor(string key) => key.StartsWith("fail-2-", StringComparison.Ordinal) ? 2 : 0;
}

/// <summary>
/// The test service's writer: copies notes into their own table with one INSERT per batch,
/// idempotent by event id, as the audit log records its entries.
/// </summary>
public sealed class NoteCopies
{
    private readonly IServiceScopeFactory _scopes;
    private readonly ConsumerLog _log;
    private readonly ConcurrentDictionary<Guid, int> _batchesSeen = new();

    public NoteCopies(IServiceScopeFactory scopes, ConsumerLog log)
    {
        _scopes = scopes;
        _log = log;
        Batcher = new Batcher<NoteWritten>("notes", WriteAsync, maxBatchSize: 32);
    }

    public Batcher<NoteWritten> Batcher { get; }

    private async Task<IReadOnlyList<Exception?>> WriteAsync(IReadOnlyList<NoteWritten> notes, CancellationToken cancellationToken)
    {
        _log.Batches.Enqueue(notes.Count);
        foreach (var note in notes)
        {
            if (_batchesSeen.AddOrUpdate(note.EventId, 1, (_, n) => n + 1) <= ConsumerLog.FailuresFor(note.Key))
                throw new InvalidOperationException("This batch fails on purpose.");
        }
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDb>();
        var eventIds = notes.Select(n => n.EventId).ToArray();
        var noteIds = notes.Select(n => n.NoteId).ToArray();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO copies (event_id, note_id)
            SELECT * FROM unnest({eventIds}, {noteIds})
            ON CONFLICT (event_id) DO NOTHING
            """, cancellationToken);
        return [];
    }
}

/// <summary>The test service's consumer: hands every note to <see cref="NoteCopies"/> and waits for its batch.</summary>
public sealed class NoteCopier(NoteCopies copies, ConsumerLog log) : IConsumer<NoteWritten>
{
    public Task Consume(ConsumeContext<NoteWritten> context)
    {
        log.Attempts.AddOrUpdate(context.MessageId!.Value, 1, (_, n) => n + 1);
        return copies.Batcher.HandleAsync(context.Message, context.CancellationToken);
    }
}

/// <summary>The copier's queue, with the services' retry policy (<c>RabbitMq:Retry*</c>).</summary>
public sealed class NoteCopierDefinition(IOptions<RabbitMqOptions> rabbitMq)
    : RetryingConsumerDefinition<NoteCopier>("note-copier", rabbitMq);

/// <summary>
/// Consumers that write in batches (<see cref="Batcher{TItem}"/>) keep the guarantees of one message
/// at a time, against the real PostgreSQL and RabbitMQ: a duplicate inside a batch has one effect, a
/// poison message fails alone and ends alone in the error queue, a failed batch is retried.
/// </summary>
public sealed class BatcherTests(MessagingServers servers) : IClassFixture<MessagingServers>, IAsyncLifetime
{
    private const int RetryLimit = 3;
    private readonly ConsumerLog _log = new();
    private TestService _service = null!;

    public async Task InitializeAsync() =>
        _service = await servers.StartServiceAsync(
            publish: false,
            consumers: bus => bus.AddConsumer<NoteCopier, NoteCopierDefinition>(),
            services: services => services.AddSingleton(_log).AddSingleton<NoteCopies>(),
            settings: new Dictionary<string, string>
            {
                ["RabbitMq:PrefetchCount"] = "64",
                ["RabbitMq:ConcurrentMessageLimit"] = "64",
                ["RabbitMq:RetryLimit"] = RetryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["RabbitMq:RetryMinInterval"] = "00:00:00.050",
                ["RabbitMq:RetryMaxInterval"] = "00:00:00.200",
            });

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private static NoteWritten Note(string key, int? noteId = null) =>
        NoteWritten.For(new Note { Id = noteId ?? Random.Shared.Next(1, 1_000_000), Key = key, Sequence = 1 });

    /// <summary>Publishes all of <paramref name="notes"/> at once (each with its event id as message id), so the consumer takes them together.</summary>
    private async Task PublishAsync(params NoteWritten[] notes)
    {
        var bus = _service.Services.GetRequiredService<IBus>();
        await Task.WhenAll(notes.Select(note => bus.Publish(note, context => context.MessageId = note.EventId)));
    }

    private async Task<int> CopiesOfAsync(params Guid[] eventIds)
    {
        await using var db = servers.NewDb();
        return await db.Copies.CountAsync(c => eventIds.Contains(c.EventId));
    }

    [Fact]
    public async Task Messages_consumed_together_are_written_in_batches_once_each()
    {
        var notes = Enumerable.Range(0, 200).Select(_ => Note($"ok-{Guid.NewGuid():N}")).ToArray();

        await PublishAsync(notes);

        var ids = notes.Select(n => n.EventId).ToArray();
        await Eventually.GetAsync(() => CopiesOfAsync(ids), n => n == notes.Length, TimeSpan.FromSeconds(30), "a copy of every note");
        Assert.True(_log.Batches.Max() > 1, $"Expected some batch of several notes; batches: {string.Join(", ", _log.Batches)}");
        Assert.All(ids, id => Assert.Equal(1, _log.Attempts[id]));
    }

    [Fact]
    public async Task A_message_delivered_twice_inside_one_batch_has_one_effect()
    {
        var notes = Enumerable.Range(0, 40).Select(_ => Note($"dup-{Guid.NewGuid():N}")).ToArray();

        // Every note twice, in one burst: the copies meet in the same batches.
        await PublishAsync([.. notes, .. notes]);

        var ids = notes.Select(n => n.EventId).ToArray();
        await Eventually.GetAsync(() => Task.FromResult(ids.Sum(id => _log.Attempts.GetValueOrDefault(id))), n => n == 2 * notes.Length,
            TimeSpan.FromSeconds(30), "both deliveries of every note");
        await Eventually.GetAsync(() => CopiesOfAsync(ids), n => n == notes.Length, TimeSpan.FromSeconds(10), "one copy of every note");
        await using var db = servers.NewDb();
        Assert.Equal(notes.Length, await db.Copies.CountAsync(c => ids.Contains(c.EventId)));
    }

    [Fact]
    public async Task A_poison_message_in_a_batch_of_good_ones_ends_alone_in_the_error_queue_and_the_rest_are_written()
    {
        using var batches = new BatchMeasurements("notes");
        var good = Enumerable.Range(0, 60).Select(_ => Note($"good-{Guid.NewGuid():N}")).ToArray();
        // A note id of -1 breaks the table's check: the batch's INSERT fails as a whole.
        var poison = Note($"poison-{Guid.NewGuid():N}", noteId: -1);

        await PublishAsync([.. good[..30], poison, .. good[30..]]);

        var goodIds = good.Select(n => n.EventId).ToArray();
        await Eventually.GetAsync(() => CopiesOfAsync(goodIds), n => n == good.Length, TimeSpan.FromSeconds(30), "a copy of every good note");
        // The queue is named after the consumer (kebab-case); MassTransit moves what failed to <queue>_error.
        await Eventually.GetAsync(() => servers.Vhost.CountMessagesAsync("note-copier_error"), n => n == 1,
            TimeSpan.FromSeconds(30), "one message in note-copier_error");
        Assert.Equal(RetryLimit + 1, _log.Attempts[poison.EventId]);
        Assert.All(goodIds, id => Assert.Equal(1, _log.Attempts[id]));
        Assert.Equal(0, await CopiesOfAsync(poison.EventId));
        Assert.True(batches.Splits > 0, "The poison message was never in a batch with others, so nothing was proven.");
    }

    [Fact]
    public async Task A_batch_that_fails_is_retried_and_its_effect_happens_once()
    {
        var note = Note($"fail-2-{Guid.NewGuid():N}");

        await PublishAsync(note);

        await Eventually.GetAsync(() => CopiesOfAsync(note.EventId), n => n == 1, TimeSpan.FromSeconds(30), "the copy");
        // Failed twice, written by the third attempt (of RetryLimit + 1), so never moved to the error queue.
        Assert.Equal(3, _log.Attempts[note.EventId]);
    }
}
