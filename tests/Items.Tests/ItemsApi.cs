using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Store.Items.Catalog;
using Store.Items.Data;
using Store.Items.Orders;
using Store.Messaging;
using Store.ServiceDefaults;
using Store.Testing;

namespace Store.Items.Tests;

/// <summary>The items service on a database of its own, one per test class.</summary>
public sealed class ItemsApi() : ServiceFactory<ItemsDb>("items")
{
    public static readonly System.Text.Json.JsonSerializerOptions Json = CreateJson();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // Cached items are served for an hour here, so a test that sees another instance's write
        // saw its event (ItemCacheTests sets a short max age where it tests the max age).
        builder.UseSetting("Items:Cache:MaxAge", "01:00:00");
    }

    /// <summary>A user id no other test uses.</summary>
    public static int NewUserId() => Random.Shared.Next(1_000, int.MaxValue);

    /// <summary>Creates an item as admin and returns it.</summary>
    public async Task<ItemResponse> CreateItemAsync(object body)
    {
        using var admin = AsAdmin();
        return await CreateItemAsync(admin, body);
    }

    /// <summary>Creates an item through <paramref name="admin"/> (a client of any instance of the service).</summary>
    public static async Task<ItemResponse> CreateItemAsync(HttpClient admin, object body)
    {
        using var response = await admin.PostAsJsonAsync("/api/items", body, Json);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ItemResponse>(Json))!;
    }

    /// <summary>Disposes what a test of many buyers made: their responses, then their clients.</summary>
    public static void DisposeAll(IEnumerable<HttpResponseMessage> responses, IEnumerable<HttpClient> clients)
    {
        foreach (var response in responses)
            response.Dispose();
        foreach (var client in clients)
            client.Dispose();
    }

    /// <summary>POST /api/items/{id}/purchase, with an Idempotency-Key when given.</summary>
    public static Task<HttpResponseMessage> PurchaseAsync(HttpClient client, int itemId, int quantity, string? idempotencyKey = null) =>
        SendAsync(client, $"/api/items/{itemId}/purchase", new { quantity }, idempotencyKey);

    /// <summary>POST /api/orders, with an Idempotency-Key when given.</summary>
    public static Task<HttpResponseMessage> PlaceOrderAsync(HttpClient client, int itemId, int quantity, string? idempotencyKey = null) =>
        SendAsync(client, "/api/orders", new { item_id = itemId, quantity }, idempotencyKey);

    public static async Task<OrderResponse> ReadOrderAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<OrderResponse>(Json))!;

    /// <summary>A client of another instance of the service (e.g. one made with WithWebHostBuilder).</summary>
    public static HttpClient ClientOf(WebApplicationFactory<ItemsDb> instance, string token)
    {
        var client = instance.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The service's database, read directly (no instance of the service needs to run).</summary>
    public ItemsDb OpenDb() => new(Database.Options<ItemsDb>());

    /// <summary>The outbox rows of one item's events, in publishing order.</summary>
    public async Task<List<OutboxMessage>> OutboxOfAsync(int itemId)
    {
        await using var db = OpenDb();
        return await db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.OrderingKey == Item.EventKey(itemId)).OrderBy(m => m.Id).ToListAsync();
    }

    /// <summary>
    /// Runs <paramref name="lockSql"/> (a statement that takes a lock, e.g. a row's FOR UPDATE) in a
    /// transaction of its own, which keeps the lock until the result is disposed: the service's
    /// statements that need it wait meanwhile, so the requests sent then queue up together.
    /// </summary>
    public async Task<IAsyncDisposable> HoldLockAsync(string lockSql)
    {
        var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(lockSql, connection, transaction))
            await command.ExecuteNonQueryAsync();
        return new HeldLock(connection, transaction);
    }

    /// <summary>Waits until one of the service's statements waits for a lock (one held by <see cref="HoldLockAsync"/>).</summary>
    public Task WaitForALockWaitAsync() => Eventually.GetAsync(async () =>
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }, waiting => waiting > 0, TimeSpan.FromSeconds(30), "a statement waiting for the held lock");

    private sealed class HeldLock(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await connection.DisposeAsync();
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, object body, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) };
        if (idempotencyKey is not null)
            request.Headers.Add(OrderEndpoints.IdempotencyKeyHeader, idempotencyKey);
        return await client.SendAsync(request);
    }

    private static System.Text.Json.JsonSerializerOptions CreateJson()
    {
        var options = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        ServiceDefaultsExtensions.ConfigureJson(options);
        return options;
    }
}
