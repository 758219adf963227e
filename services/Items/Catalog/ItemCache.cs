using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Store.Items.Data;

namespace Store.Items.Catalog;

/// <summary>
/// Single items as their serialized JSON response, so a read is answered without a database round
/// trip. Filled on read misses; this instance's writes evict the item right after they commit, and
/// other instances' changes and deletions evict it through their events (<see cref="ItemCacheEvictor"/>).
/// No entry is served longer than <see cref="MaxAgeSetting"/> after it was read from the database:
/// that bounds how long a purchase made through another instance (whose event this instance does
/// not consume) or a lost eviction can leave an item's stock or fields stale here.
/// </summary>
public sealed class ItemCache(IOptions<JsonOptions> json, IConfiguration configuration)
{
    /// <summary>Setting for the most items kept; beyond it misses are served but not kept.</summary>
    public const string MaxEntriesSetting = "Items:Cache:MaxEntries";

    /// <summary>Setting for how long an entry is served before it is read from the database again.</summary>
    public const string MaxAgeSetting = "Items:Cache:MaxAge";

    private const int Stripes = 4096;

    private static readonly Func<ItemsDb, int, CancellationToken, Task<Item?>> FindItem =
        EF.CompileAsyncQuery((ItemsDb db, int id, CancellationToken _) => db.Items.AsNoTracking().FirstOrDefault(i => i.Id == id));

    private readonly ConcurrentDictionary<int, Entry> _items = new();
    // One counter per stripe of ids, bumped by every eviction: a fill that started before an eviction
    // of its item must not keep what it read, which may be older than the write that evicted it.
    private readonly long[] _evictions = new long[Stripes];
    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;
    private readonly int _maxEntries = configuration.GetValue(MaxEntriesSetting, 100_000);
    private readonly long _maxAgeMs = (long)configuration.GetValue(MaxAgeSetting, TimeSpan.FromSeconds(5)).TotalMilliseconds;
    private int _count;

    /// <summary>The item's response JSON, from the cache or else from the database; null if there is no such item.</summary>
    public async Task<byte[]?> GetAsync(int id, ItemsDb db, CancellationToken cancellationToken)
    {
        if (_items.TryGetValue(id, out var cached))
        {
            if (Environment.TickCount64 - cached.ReadAt <= _maxAgeMs)
                return cached.Body;
            // Too old: read again (unless another reader replaced it meanwhile).
            if (_items.TryRemove(KeyValuePair.Create(id, cached)))
                Interlocked.Decrement(ref _count);
        }

        ref var stripe = ref _evictions[(uint)id % Stripes];
        var before = Volatile.Read(ref stripe);
        var readAt = Environment.TickCount64;
        var item = await FindItem(db, id, cancellationToken);
        if (item is null)
            return null;

        var body = JsonSerializer.SerializeToUtf8Bytes(ItemResponse.From(item), _json);
        if (Volatile.Read(ref _count) < _maxEntries && _items.TryAdd(id, new Entry(body, readAt)))
        {
            Interlocked.Increment(ref _count);
            // Evicted while it was being read: what was read may be stale, so it is not kept.
            if (Volatile.Read(ref _evictions[(uint)id % Stripes]) != before)
                Evict(id);
        }
        return body;
    }

    /// <summary>Forgets the item: the next read loads it from the database.</summary>
    public void Evict(int id)
    {
        Interlocked.Increment(ref _evictions[(uint)id % Stripes]);
        if (_items.TryRemove(id, out _))
            Interlocked.Decrement(ref _count);
    }

    /// <summary>An item's response and when (<see cref="Environment.TickCount64"/>) it was read from the database.</summary>
    private sealed record Entry(byte[] Body, long ReadAt);
}

/// <summary>The cached JSON bytes of an item, written as they are (no serialization per request).</summary>
public sealed class ItemJson(byte[] body) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }
}
