using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Store.AuditLog.Data;
using Store.AuditLog.Queries;
using Store.Contracts;
using Store.ServiceDefaults;
using Store.Testing;

namespace Store.AuditLog.Tests;

/// <summary>The audit-log service on a database and vhost of its own, one per test class.</summary>
public sealed class AuditApi() : ServiceFactory<AuditDb>("audit")
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    /// <summary>An actor (user) id no other test uses, so each test reads only its own entries.</summary>
    public static int NewActorId() => Random.Shared.Next(1_000, int.MaxValue);

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // Start-up returns once the queue is bound, so what a test publishes next is not dropped.
        builder.ConfigureServices(services => services.Configure<MassTransit.MassTransitHostOptions>(o => o.WaitUntilStarted = true));
    }

    public AuditDb OpenDb() => new(Database.Options<AuditDb>());

    /// <summary>The entries of one actor, read straight from the database.</summary>
    public async Task<List<AuditEntry>> EntriesOfAsync(int actorId)
    {
        await using var db = OpenDb();
        return await db.Entries.AsNoTracking().Where(e => e.ActorId == actorId).OrderBy(e => e.Id).ToListAsync();
    }

    /// <summary>Waits until <paramref name="actorId"/> has at least <paramref name="count"/> entries.</summary>
    public Task<List<AuditEntry>> WaitForEntriesAsync(int actorId, int count, TimeSpan? timeout = null) =>
        Eventually.GetAsync(() => EntriesOfAsync(actorId), entries => entries.Count >= count,
            timeout ?? TimeSpan.FromSeconds(30), $"{count} audit entries of actor {actorId}");

    public static ItemCreated ItemCreated(int actorId, int itemId, string? correlationId = null) =>
        new ItemCreated(itemId, "Teapot", null, 10m, null, ["tea"], 3).Sent(actorId, "admin", correlationId);

    public static AuditEntryResponse[] Read(string json) => JsonSerializer.Deserialize<AuditEntryResponse[]>(json, Json)!;

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ServiceDefaultsExtensions.ConfigureJson(options);
        return options;
    }
}
