using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Store.Testing;

namespace Store.Security.Tests;

/// <summary>
/// The whole suite as real processes (<see cref="Suite"/>), shared by this project's test classes
/// (one start), with the people the checks need: two users and the admin, logged in through the
/// gateway, an item, and an order of the first user. Every client comes from <see cref="Scanner"/>.
/// </summary>
public sealed class SecuritySuite : Suite
{
    public ResponseScanner Scanner { get; } = new();

    public Account Admin { get; private set; } = null!;
    public Account User { get; private set; } = null!;
    public Account OtherUser { get; private set; } = null!;

    /// <summary>An item with plenty of stock, for reads and purchases.</summary>
    public int ItemId { get; private set; }

    /// <summary>An order <see cref="User"/> placed.</summary>
    public int UserOrderId { get; private set; }

    private int _roleChecks;
    private int _badTokenChecks;
    private int _badInputChecks;

    public void CountRoleChecks(int checks) => Interlocked.Add(ref _roleChecks, checks);

    public void CountBadTokens(int checks) => Interlocked.Add(ref _badTokenChecks, checks);

    public void CountBadInputs(int checks) => Interlocked.Add(ref _badInputChecks, checks);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Scanner.Secret(AdminPassword);
        using (var anonymous = GatewayClient())
        {
            // Every service ready behind the gateway before the first check.
            await Eventually.GetAsync(async () => (await anonymous.GetAsync("/health")).StatusCode,
                status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the suite's health");
        }
        Admin = new Account(AdminUsername, AdminPassword, await LogInDirectlyAsync(AdminUsername, AdminPassword), 0);
        Admin = Admin with { Id = await IdOfAsync(Admin.Token) };
        User = await RegisterAsync("alice");
        OtherUser = await RegisterAsync("mallory");

        using var admin = GatewayClient(Admin.Token);
        using var created = await admin.PostAsJsonAsync("/api/items", new { name = "Security lamp", price = 10m, tax = 1m, stock = 1_000_000 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        ItemId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        using var user = GatewayClient(User.Token);
        using var bought = await user.PostAsJsonAsync($"/api/items/{ItemId}/purchase", new { quantity = 1 });
        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        UserOrderId = (await bought.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    public override async Task DisposeAsync()
    {
        TestReport.Add($"security: {_roleChecks} role checks, {_badTokenChecks} bad tokens, {_badInputChecks} bad inputs, {Scanner.Scanned} responses scanned");
        await base.DisposeAsync();
    }

    /// <summary>A client of the gateway whose responses are scanned.</summary>
    public HttpClient GatewayClient(string? token = null) => Scanner.Client(Gateway.Address, token);

    /// <summary>A client of one service directly (not through the gateway), scanned as well.</summary>
    public HttpClient DirectClient(ServiceProcess service, string? token = null) => Scanner.Client(service.Address, token);

    /// <summary>Registers a new user through the gateway and logs it in.</summary>
    public async Task<Account> RegisterAsync(string prefix)
    {
        var username = Unique(prefix);
        var password = Scanner.Secret($"{username}-Pa55word-secret");
        using (var anonymous = GatewayClient())
        {
            using var registered = await anonymous.PostAsJsonAsync("/api/users", new { username, email = $"{username}@example.com", password });
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }
        var token = await LogInDirectlyAsync(username, password);
        return new Account(username, password, token, await IdOfAsync(token));
    }

    /// <summary>Logs in at the users service itself: the gateway's token rate limit is for the tests to count.</summary>
    private async Task<string> LogInDirectlyAsync(string username, string password)
    {
        using var client = DirectClient(Users);
        using var response = await client.PostAsync("/api/auth/token", new FormUrlEncodedContent([new("username", username), new("password", password)]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private async Task<int> IdOfAsync(string token)
    {
        using var client = GatewayClient(token);
        return (await client.GetFromJsonAsync<JsonElement>("/api/users/me")).GetProperty("id").GetInt32();
    }

    /// <summary>Everything the bad inputs could have changed, as the admin reads it: every item, user and order, and the users' settings.</summary>
    public async Task<string> SnapshotAsync()
    {
        using var admin = GatewayClient(Admin.Token);
        var all = new JsonObject
        {
            ["items"] = await AllAsync(admin, "/api/items"),
            ["users"] = await AllAsync(admin, "/api/users"),
            ["orders"] = await AllAsync(admin, "/api/orders"),
        };
        foreach (var account in new[] { Admin, User, OtherUser })
        {
            using var client = GatewayClient(account.Token);
            all[$"settings_{account.Id}"] = JsonNode.Parse(await client.GetStringAsync("/api/users/me/settings"));
        }
        return all.ToJsonString();
    }

    /// <summary>Every page of a list.</summary>
    public static async Task<JsonArray> AllAsync(HttpClient client, string path)
    {
        var all = new JsonArray();
        for (var skip = 0; ; skip += 100)
        {
            var page = (await client.GetFromJsonAsync<JsonArray>($"{path}?limit=100&skip={skip}"))!;
            foreach (var row in page)
                all.Add(row!.DeepClone());
            if (page.Count < 100)
                return all;
        }
    }
}

/// <summary>A user of the suite and its access token.</summary>
public sealed record Account(string Username, string Password, string Token, int Id);

[CollectionDefinition(Name)]
public sealed class SharedSuite : ICollectionFixture<SecuritySuite>
{
    public const string Name = "security suite";
}
