using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Store.Items.Data;
using Store.ServiceDefaults;

namespace Store.Items.Catalog;

/// <summary>
/// Single items and pages of the list as their serialized JSON responses, so a read is answered
/// without a database round trip (nor a database context: one is taken only on a miss). Filled on
/// read misses; this instance's writes evict the item, and every page, right after they commit;
/// other instances' changes and deletions evict them through their events (<see cref="ItemCacheEvictor"/>).
/// No entry is served longer than <see cref="ItemCacheOptions.MaxAge"/> after it was read from the database:
/// that bounds how long a purchase made through another instance (whose event this instance does
/// not consume), an item created there, or a lost eviction can leave what is read here stale.
/// </summary>
public sealed class ItemCache(IServiceScopeFactory scopes, IOptions<JsonOptions> json, IOptions<ItemCacheOptions> options)
{
    public static void Register(WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ItemCacheOptions>(ItemCacheOptions.Section);
        builder.Services.AddSingleton<ItemCache>();
    }

    /// <summary>The most pages of the list kept (distinct paging and filters).</summary>
    public const int MaxPages = 1024;

    private const int Stripes = 4096;

    private static readonly Func<ItemsDb, int, CancellationToken, Task<Item?>> FindItem =
        EF.CompileAsyncQuery((ItemsDb db, int id, CancellationToken _) => db.Items.AsNoTracking().FirstOrDefault(i => i.Id == id));

    private readonly ConcurrentDictionary<int, Entry> _items = new();
    private readonly ConcurrentDictionary<string, Page> _pages = new(StringComparer.Ordinal);
    // One counter per stripe of ids, bumped by every eviction: a fill that started before an eviction
    // of its item must not keep what it read, which may be older than the write that evicted it.
    private readonly long[] _evictions = new long[Stripes];
    // Bumped by every eviction: any change of any item may change any page.
    private long _pageGeneration;
    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;
    private readonly int _maxEntries = options.Value.MaxEntries;
    private readonly long _maxAgeMs = (long)options.Value.MaxAge.TotalMilliseconds;
    private int _count;

    /// <summary>The item's response JSON, from the cache or else from the database; null if there is no such item.</summary>
    public async Task<byte[]?> GetAsync(int id, CancellationToken cancellationToken)
    {
        if (_items.TryGetValue(id, out var cached))
        {
            if (IsFresh(cached.ReadAt))
                return cached.Body;
            // Too old: read again (unless another reader replaced it meanwhile).
            if (_items.TryRemove(KeyValuePair.Create(id, cached)))
                Interlocked.Decrement(ref _count);
        }

        ref var stripe = ref _evictions[(uint)id % Stripes];
        var before = Volatile.Read(ref stripe);
        var readAt = Environment.TickCount64;
        Item? item;
        await using (var scope = scopes.CreateAsyncScope())
            item = await FindItem(scope.ServiceProvider.GetRequiredService<ItemsDb>(), id, cancellationToken);
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

    /// <summary>A page of the list as its response JSON and the number of all matches, from the cache or else from the database.</summary>
    public async Task<(byte[] Body, int Total)> GetPageAsync(ItemQuery query, CancellationToken cancellationToken)
    {
        var key = string.Create(CultureInfo.InvariantCulture,
            $"{query.Skip}|{query.Limit}|{query.InStock}|{query.Tag?.Length}:{query.Tag}|{query.Search}");
        var generation = Interlocked.Read(ref _pageGeneration);
        if (_pages.TryGetValue(key, out var cached) && cached.Generation == generation && IsFresh(cached.ReadAt))
            return (cached.Body, cached.Total);

        var readAt = Environment.TickCount64;
        List<Item> rows;
        int total;
        await using (var scope = scopes.CreateAsyncScope())
            (rows, total) = await ReadPageAsync(scope.ServiceProvider.GetRequiredService<ItemsDb>(), query, cancellationToken);
        var body = JsonSerializer.SerializeToUtf8Bytes(rows.Select(ItemResponse.From).ToArray(), _json);
        // Kept with the generation seen before the read: an eviction meanwhile makes it stale at once.
        if (_pages.Count < MaxPages || _pages.ContainsKey(key))
            _pages[key] = new Page(body, total, generation, readAt);
        return (body, total);
    }

    /// <summary>Forgets the item, and every page: the next read loads it from the database.</summary>
    public void Evict(int id)
    {
        Interlocked.Increment(ref _evictions[(uint)id % Stripes]);
        Interlocked.Increment(ref _pageGeneration);
        if (_items.TryRemove(id, out _))
            Interlocked.Decrement(ref _count);
    }

    private bool IsFresh(long readAt) => Environment.TickCount64 - readAt <= _maxAgeMs;

    private static Task<(List<Item> Rows, int Total)> ReadPageAsync(ItemsDb db, ItemQuery query, CancellationToken cancellationToken)
    {
        var matches = db.Items.AsNoTracking();
        if (!string.IsNullOrEmpty(query.Search))
        {
            var pattern = $"%{EscapeLike(query.Search)}%";
            matches = matches.Where(i => EF.Functions.ILike(i.Name, pattern, @"\")
                || (i.Description != null && EF.Functions.ILike(i.Description, pattern, @"\")));
        }
        if (query.InStock is { } inStock)
            matches = inStock ? matches.Where(i => i.Stock > 0) : matches.Where(i => i.Stock == 0);
        if (!string.IsNullOrEmpty(query.Tag))
            matches = matches.Where(i => i.Tags.Contains(query.Tag));
        return matches.ReadPageAsync(query, m => m.OrderBy(i => i.Id), cancellationToken);
    }

    /// <summary>The search term is matched literally: its %, _ and \ are not wildcards.</summary>
    private static string EscapeLike(string term) =>
        term.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal);

    /// <summary>An item's response and when (<see cref="Environment.TickCount64"/>) it was read from the database.</summary>
    private sealed record Entry(byte[] Body, long ReadAt);

    /// <summary>A page's response, the number of all matches, and the page generation and time it was read at.</summary>
    private sealed record Page(byte[] Body, int Total, long Generation, long ReadAt);
}
