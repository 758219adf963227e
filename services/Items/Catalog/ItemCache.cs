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
/// other instances' writes evict it through their events (<see cref="ItemCacheEvictor"/>).
/// </summary>
public sealed class ItemCache(IOptions<JsonOptions> json, IConfiguration configuration)
{
    /// <summary>Setting for the most items kept; beyond it misses are served but not kept.</summary>
    public const string MaxEntriesSetting = "Items:Cache:MaxEntries";
    private const int Stripes = 4096;

    private static readonly Func<ItemsDb, int, CancellationToken, Task<Item?>> FindItem =
        EF.CompileAsyncQuery((ItemsDb db, int id, CancellationToken _) => db.Items.AsNoTracking().FirstOrDefault(i => i.Id == id));

    private readonly ConcurrentDictionary<int, byte[]> _items = new();
    // One counter per stripe of ids, bumped by every eviction: a fill that started before an eviction
    // of its item must not keep what it read, which may be older than the write that evicted it.
    private readonly long[] _evictions = new long[Stripes];
    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;
    private readonly int _maxEntries = configuration.GetValue(MaxEntriesSetting, 100_000);
    private int _count;

    /// <summary>The item's response JSON, from the cache or else from the database; null if there is no such item.</summary>
    public async Task<byte[]?> GetAsync(int id, ItemsDb db, CancellationToken cancellationToken)
    {
        if (_items.TryGetValue(id, out var cached))
            return cached;

        ref var stripe = ref _evictions[(uint)id % Stripes];
        var before = Volatile.Read(ref stripe);
        var item = await FindItem(db, id, cancellationToken);
        if (item is null)
            return null;

        var body = JsonSerializer.SerializeToUtf8Bytes(ItemResponse.From(item), _json);
        if (Volatile.Read(ref _count) < _maxEntries && _items.TryAdd(id, body))
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
