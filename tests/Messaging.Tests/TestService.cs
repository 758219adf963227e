using System.Globalization;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Store.ServiceDefaults;
using Store.Testing;

namespace Store.Messaging.Tests;

/// <summary>A database (with the test service's schema) and a RabbitMQ vhost for one test class.</summary>
public sealed class MessagingServers : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public TestVhost Vhost { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync("messaging");
        Vhost = await TestVhost.CreateAsync("messaging");
        await using var db = NewDb();
        await db.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        await Vhost.DisposeAsync();
    }

    /// <summary>A context on the test database outside any service, to look at the tables.</summary>
    public TestDb NewDb() => new(Database.Options<TestDb>());

    /// <summary>
    /// Starts an instance of the test service: EF Core on the test database and AddMessaging on the
    /// vhost (through <paramref name="rabbitMqProxy"/> when given).
    /// </summary>
    public async Task<TestService> StartServiceAsync(
        TcpProxy? rabbitMqProxy = null,
        bool publish = true,
        Action<IBusRegistrationConfigurator>? consumers = null,
        Action<IServiceCollection>? services = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:messaging"] = Database.ConnectionString,
            ["RabbitMq:Host"] = rabbitMqProxy?.Host ?? TestServers.RabbitHost,
            ["RabbitMq:Port"] = (rabbitMqProxy?.Port ?? TestServers.RabbitPort).ToString(CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = Vhost.Name,
            ["RabbitMq:Username"] = TestServers.RabbitUser,
            ["RabbitMq:Password"] = TestServers.RabbitPassword,
            ["Outbox:RetryMaxDelay"] = "00:00:00.500",
            ["Logging:LogLevel:Default"] = "Warning",
            // The schema comes from EnsureCreated, so EF's look at the (absent) migrations history logs an error.
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "None",
        });
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));

        builder.AddDatabase<TestDb>("messaging");
        builder.AddMessaging(consumers: consumers);
        if (publish)
            builder.AddOutboxRelay<TestDb>();
        services?.Invoke(builder.Services);
        // A consumer's queue exists once its bus has started: wait for that before a test publishes.
        if (consumers is not null)
            builder.Services.Configure<MassTransitHostOptions>(host => host.WaitUntilStarted = true);

        var app = builder.Build();
        await app.StartAsync();
        return new TestService(app);
    }
}

/// <summary>One running instance of the test service.</summary>
public sealed class TestService(WebApplication app) : IAsyncDisposable
{
    public IServiceProvider Services => app.Services;

    /// <summary>
    /// Writes note <paramref name="sequence"/> of stream <paramref name="key"/> and its event in one
    /// explicit transaction (the note's insert comes first: it is the row the event is about).
    /// </summary>
    public async Task<NoteWritten> WriteNoteAsync(string key, int sequence, string? correlationId = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDb>();
        await using var transaction = await db.BeginTransactionWithoutSavepointsAsync(CancellationToken.None);
        var note = new Note { Key = key, Sequence = sequence };
        db.Notes.Add(note);
        await db.SaveChangesAsync();
        var written = NoteWritten.For(note, correlationId);
        db.AddToOutbox(written, orderingKey: key);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return written;
    }

    /// <summary>Puts an event in the outbox with a plain SaveChanges (no explicit transaction).</summary>
    public async Task<NoteWritten> WriteEventAsync(string key, int sequence)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDb>();
        var written = NoteWritten.For(new Note { Key = key, Sequence = sequence });
        db.AddToOutbox(written, orderingKey: key);
        await db.SaveChangesAsync();
        return written;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
