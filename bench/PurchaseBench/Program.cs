// The load side of bench/purchases.sh.
//   PurchaseBench key FILE
//       writes a new RSA signing key to FILE (PEM) and prints its JWKS, for the service's Auth:Jwks
//   PurchaseBench token FILE [ROLE]
//       prints an access token signed with that key (for wrk, curl)
//   PurchaseBench run --url URL --key FILE --vhost VHOST [--rate 200] [--duration 30] [--concurrency 32] [--items 8] [--service-pid PID]
//       creates items, listens for OrderPlaced on VHOST, then buys for --duration seconds twice: at a
//       steady --rate per second (open loop), and as fast as --concurrency buyers can (closed loop).
//   PurchaseBench run --url URL --token TOKEN --ids FIRST-LAST --steady-only [--rate 200] [--duration 30]
//       the steady phase only, as the holder of TOKEN, buying items FIRST..LAST that already exist,
//       without listening to the broker (bench/suite.sh reads the delivery times from the audit log).
//       For each phase: purchases per second, HTTP latency, and how long each OrderPlaced took to be
//       delivered, from its occurred_at (set just before the transaction) and from the HTTP answer
//       (just after the commit): the commit-to-delivery delay lies between the two. With the
//       service's pid, also the CPU time the service spent per purchase (its relay included).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using MassTransit;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Store.Contracts;

var json = new JsonSerializerOptions(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

if (args is ["key", var keyFile])
{
    using var rsa = RSA.Create(2048);
    await File.WriteAllTextAsync(keyFile, rsa.ExportPkcs8PrivateKeyPem());
    var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = "bench" });
    Console.WriteLine(JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = "bench", n = jwk.N, e = jwk.E } } }));
    return 0;
}
if (args is ["token", var tokenKeyFile, ..] && args.Length <= 3)
{
    using var rsa = RSA.Create();
    rsa.ImportFromPem(await File.ReadAllTextAsync(tokenKeyFile));
    var role = args.Length == 3 ? args[2] : "user";
    Console.WriteLine(new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "store-users",
        Audience = "store-api",
        Expires = DateTime.UtcNow.AddHours(2),
        Subject = new ClaimsIdentity([new("sub", "42"), new("name", "buyer42"), new("email", "buyer42@example.com"), new("role", role)]),
        SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = "bench" }, SecurityAlgorithms.RsaSha256),
    }));
    return 0;
}
if (args.Length == 0 || args[0] != "run")
{
    Console.Error.WriteLine("usage: PurchaseBench key FILE | PurchaseBench token FILE [ROLE] | PurchaseBench run --url URL (--key FILE --vhost VHOST | --token TOKEN --ids FIRST-LAST --steady-only) [--rate N] [--duration S] [--concurrency N] [--items N]");
    return 2;
}

var steadyOnly = args.Contains("--steady-only");
var options = args.Skip(1).Where(arg => arg != "--steady-only").Chunk(2).ToDictionary(pair => pair[0].TrimStart('-'), pair => pair[1]);
var url = options["url"];
var vhost = options.GetValueOrDefault("vhost");
var rate = int.Parse(options.GetValueOrDefault("rate", "200"), CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(int.Parse(options.GetValueOrDefault("duration", "30"), CultureInfo.InvariantCulture));
var concurrency = int.Parse(options.GetValueOrDefault("concurrency", "32"), CultureInfo.InvariantCulture);
var itemCount = int.Parse(options.GetValueOrDefault("items", "8"), CultureInfo.InvariantCulture);
var servicePid = options.TryGetValue("service-pid", out var pid) ? int.Parse(pid, CultureInfo.InvariantCulture) : (int?)null;


// CPU seconds the service has used so far (user + system), from /proc; null when unknown.
double? ServiceCpuSeconds()
{
    if (servicePid is null || !File.Exists($"/proc/{servicePid}/stat"))
        return null;
    var fields = File.ReadAllText($"/proc/{servicePid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
}

using var signingRsa = RSA.Create();
if (options.TryGetValue("key", out var keyPath))
    signingRsa.ImportFromPem(await File.ReadAllTextAsync(keyPath));
var signingKey = new RsaSecurityKey(signingRsa) { KeyId = "bench" };
string Token(int id, string role) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
{
    Issuer = "store-users",
    Audience = "store-api",
    Expires = DateTime.UtcNow.AddHours(2),
    Subject = new ClaimsIdentity([new("sub", id.ToString(CultureInfo.InvariantCulture)), new("name", $"buyer{id}"), new("email", $"buyer{id}@example.com"), new("role", role)]),
    SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256),
});
var userTokens = options.TryGetValue("token", out var givenToken)
    ? [$"Bearer {givenToken}"]
    : Enumerable.Range(100, 100).Select(id => $"Bearer {Token(id, "user")}").ToArray();

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = new Uri(url),
    Timeout = TimeSpan.FromSeconds(30),
};

var itemIds = new List<int>();
if (options.TryGetValue("ids", out var idRange))
{
    var bounds = idRange.Split('-').Select(bound => int.Parse(bound, CultureInfo.InvariantCulture)).ToArray();
    itemIds.AddRange(Enumerable.Range(bounds[0], bounds[1] - bounds[0] + 1));
}
for (var i = itemIds.Count == 0 ? 0 : itemCount; i < itemCount; i++)
{
    using var create = new HttpRequestMessage(HttpMethod.Post, "/api/items")
    {
        Content = JsonContent.Create(new { name = $"Bench item {i}", price = 10m, tax = 1m, stock = 1_000_000_000 }, options: json),
    };
    create.Headers.TryAddWithoutValidation("Authorization", $"Bearer {Token(1, "admin")}");
    using var created = await http.SendAsync(create);
    created.EnsureSuccessStatusCode();
    itemIds.Add((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());
}

// OrderPlaced as a consumer sees it: when each arrived.
var delivered = new ConcurrentDictionary<int, (DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt)>();
var bus = Bus.Factory.CreateUsingRabbitMq(broker =>
{
    broker.Host(Environment.GetEnvironmentVariable("RABBITMQ_HOST") ?? "127.0.0.1",
        ushort.Parse(Environment.GetEnvironmentVariable("RABBITMQ_PORT") ?? "5672", CultureInfo.InvariantCulture), vhost ?? "/", host =>
        {
            host.Username(Environment.GetEnvironmentVariable("RABBITMQ_USER") ?? "guest");
            host.Password(Environment.GetEnvironmentVariable("RABBITMQ_PASSWORD") ?? "guest");
        });
    broker.ReceiveEndpoint($"bench-order-placed-{Guid.NewGuid():N}", queue =>
    {
        queue.AutoDelete = true;
        queue.Durable = false;
        queue.PrefetchCount = 512;
        queue.Handler<OrderPlaced>(context =>
        {
            delivered[context.Message.OrderId] = (context.Message.OccurredAt, DateTimeOffset.UtcNow);
            return Task.CompletedTask;
        });
    });
});
if (vhost is not null)
    await bus.StartAsync();

var purchaseCount = 0;
async Task<Purchase> BuyAsync()
{
    var n = Interlocked.Increment(ref purchaseCount);
    using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/items/{itemIds[n % itemIds.Count]}/purchase")
    {
        Content = JsonContent.Create(new { quantity = 1 }, options: json),
    };
    request.Headers.TryAddWithoutValidation("Authorization", userTokens[n % userTokens.Length]);
    var started = Stopwatch.GetTimestamp();
    try
    {
        using var response = await http.SendAsync(request);
        var answeredAt = DateTimeOffset.UtcNow;
        var orderId = response.StatusCode == HttpStatusCode.Created
            ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32()
            : (int?)null;
        return new Purchase(response.StatusCode, Stopwatch.GetElapsedTime(started), orderId, answeredAt);
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
    {
        return new Purchase(null, Stopwatch.GetElapsedTime(started), null, DateTimeOffset.UtcNow);
    }
}

async Task<(List<Purchase> Purchases, TimeSpan Elapsed)> SteadyAsync(int perSecond, TimeSpan length)
{
    var running = new List<Task<Purchase>>();
    var clock = Stopwatch.StartNew();
    for (var i = 0; clock.Elapsed < length; i++)
    {
        // Read the clock once: between a second read and the delay it could have passed the due time.
        var wait = TimeSpan.FromSeconds((double)i / perSecond) - clock.Elapsed;
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait);
        running.Add(BuyAsync());
    }
    var purchases = await Task.WhenAll(running);
    return ([.. purchases], clock.Elapsed);
}

async Task<(List<Purchase> Purchases, TimeSpan Elapsed)> FlatOutAsync(int buyers, TimeSpan length)
{
    var all = new ConcurrentBag<Purchase>();
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, buyers).Select(async _ =>
    {
        while (clock.Elapsed < length)
            all.Add(await BuyAsync());
    }));
    return ([.. all], clock.Elapsed);
}

async Task ReportAsync(string phase, List<Purchase> purchases, TimeSpan elapsed, double? cpuBefore)
{
    var orders = purchases.Where(p => p.OrderId is not null).ToList();
    var deadline = DateTime.UtcNow.AddSeconds(vhost is null ? 0 : 60);
    while (orders.Any(o => !delivered.ContainsKey(o.OrderId!.Value)) && DateTime.UtcNow < deadline)
        await Task.Delay(100);

    var arrived = orders.Where(o => delivered.ContainsKey(o.OrderId!.Value)).ToList();
    var fromOccurred = arrived.Select(o => delivered[o.OrderId!.Value]).Select(d => (d.ReceivedAt - d.OccurredAt).TotalMilliseconds).ToList();
    var fromAnswer = arrived.Select(o => (delivered[o.OrderId!.Value].ReceivedAt - o.AnsweredAt).TotalMilliseconds).ToList();
    var latency = purchases.Select(p => p.Latency.TotalMilliseconds).ToList();
    var cpuPerPurchase = ServiceCpuSeconds() - cpuBefore is { } cpu && orders.Count > 0 ? $"{cpu * 1_000_000 / orders.Count:0}" : "-";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {phase} | {purchases.Count} | {orders.Count} | {purchases.Count - orders.Count} | {orders.Count / elapsed.TotalSeconds:0} | " +
        $"{Percentile(latency, 50):0.0} / {Percentile(latency, 99):0.0} | " +
        $"{Percentile(fromOccurred, 50):0.0} / {Percentile(fromOccurred, 99):0.0} | " +
        $"{Percentile(fromAnswer, 50):0.0} / {Percentile(fromAnswer, 99):0.0} | {arrived.Count}/{orders.Count} | {cpuPerPurchase} |"));
}

static double Percentile(List<double> values, int percent)
{
    if (values.Count == 0)
        return double.NaN;
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

// Warm-up (JIT, connection pools, prepared statements), not reported.
await SteadyAsync(Math.Min(rate, 100), TimeSpan.FromSeconds(3));

Console.WriteLine($"{url}, {itemIds.Count} items, {userTokens.Length} buyers, {duration.TotalSeconds:0} s per phase");
Console.WriteLine("| phase | purchases sent | 201 | not 201 | purchases/s | HTTP ms p50 / p99 | occurred_at → delivered ms p50 / p99 | HTTP answer → delivered ms p50 / p99 | events delivered | service CPU µs per purchase |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
var cpuBefore = ServiceCpuSeconds();
var (steady, steadyElapsed) = await SteadyAsync(rate, duration);
await ReportAsync($"steady {rate}/s", steady, steadyElapsed, cpuBefore);
if (steadyOnly)
    return 0;
cpuBefore = ServiceCpuSeconds();
var (flatOut, flatOutElapsed) = await FlatOutAsync(concurrency, duration);
await ReportAsync($"{concurrency} buyers flat out", flatOut, flatOutElapsed, cpuBefore);

if (vhost is not null)
    await bus.StopAsync();
return 0;

internal sealed record Purchase(HttpStatusCode? Status, TimeSpan Latency, int? OrderId, DateTimeOffset AnsweredAt);
