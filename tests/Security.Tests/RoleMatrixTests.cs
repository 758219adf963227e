using System.Net.Http.Json;
using System.Text.Json;
using Store.Testing;

namespace Store.Security.Tests;

/// <summary>
/// Every route of docs/contract.md, through the gateway, as anonymous, a user, another user and the
/// admin: 401 without a token where one is needed, 403 for the wrong role, 404 for another user's
/// order, 2xx otherwise. "The user" owns the resources named (its account, its order).
/// </summary>
[Collection(SharedSuite.Name)]
public sealed class RoleMatrixTests(SecuritySuite suite)
{
    private enum Caller { Anonymous, User, OtherUser, Admin }

    /// <summary>A route and what each caller gets; the request is made fresh for every caller.</summary>
    private sealed record Route(string Name, Func<Task<HttpRequestMessage>> Request, int Anonymous, int User, int OtherUser, int Admin)
    {
        public int Expected(Caller caller) => caller switch
        {
            Caller.Anonymous => Anonymous,
            Caller.User => User,
            Caller.OtherUser => OtherUser,
            _ => Admin,
        };
    }

    private static Func<Task<HttpRequestMessage>> Send(HttpMethod method, string path, object? body = null) =>
        () => Task.FromResult(new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) });

    private IEnumerable<Route> Routes()
    {
        var user = suite.User;
        var item = suite.ItemId;
        var order = suite.UserOrderId;
        var get = HttpMethod.Get;
        return
        [
            // Users service
            new("register", () =>
            {
                var name = Suite.Unique("matrix");
                return Send(HttpMethod.Post, "/api/users", new { username = name, email = $"{name}@example.com", password = suite.Scanner.Secret($"{name}-password") })();
            }, 201, 201, 201, 201),
            new("log in", () => Task.FromResult(new HttpRequestMessage(HttpMethod.Post, "/api/auth/token")
            {
                Content = new FormUrlEncodedContent([new("username", user.Username), new("password", user.Password)]),
            }), 200, 200, 200, 200),
            new("jwks", Send(get, "/.well-known/jwks.json"), 200, 200, 200, 200),
            new("me", Send(get, "/api/users/me"), 401, 200, 200, 200),
            new("patch me", Send(HttpMethod.Patch, "/api/users/me", new { full_name = "Matrix Name" }), 401, 200, 200, 200),
            new("my settings", Send(get, "/api/users/me/settings"), 401, 200, 200, 200),
            new("replace my settings", Send(HttpMethod.Put, "/api/users/me/settings", new { email_notifications = true }), 401, 200, 200, 200),
            new("list users", Send(get, "/api/users"), 401, 403, 403, 200),
            new("get the user", Send(get, $"/api/users/{user.Id}"), 401, 200, 403, 200),
            new("get a missing user", Send(get, "/api/users/999999"), 401, 403, 403, 404),
            new("delete a user", async () =>
            {
                var victim = await suite.RegisterAsync("victim");
                return new HttpRequestMessage(HttpMethod.Delete, $"/api/users/{victim.Id}");
            }, 401, 403, 403, 204),
            // Items service: catalog
            new("list items", Send(get, "/api/items"), 200, 200, 200, 200),
            new("get an item", Send(get, $"/api/items/{item}"), 200, 200, 200, 200),
            new("get a missing item", Send(get, "/api/items/999999"), 404, 404, 404, 404),
            new("create an item", Send(HttpMethod.Post, "/api/items", new { name = "Matrix item", price = 5m }), 401, 403, 403, 201),
            new("replace an item", Send(HttpMethod.Put, $"/api/items/{item}", new { name = "Security lamp", price = 10m, tax = 1m, stock = 1_000_000 }), 401, 403, 403, 200),
            new("patch an item", Send(HttpMethod.Patch, $"/api/items/{item}", new { description = "patched by the matrix" }), 401, 403, 403, 200),
            new("delete an item", async () =>
            {
                using var admin = suite.GatewayClient(suite.Admin.Token);
                using var created = await admin.PostAsJsonAsync("/api/items", new { name = "Doomed", price = 1m });
                var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
                return new HttpRequestMessage(HttpMethod.Delete, $"/api/items/{id}");
            }, 401, 403, 403, 204),
            // Items service: purchases and orders
            new("purchase", Send(HttpMethod.Post, $"/api/items/{item}/purchase", new { quantity = 1 }), 401, 201, 201, 201),
            new("place an order", Send(HttpMethod.Post, "/api/orders", new { item_id = item, quantity = 1 }), 401, 201, 201, 201),
            new("list my orders", Send(get, "/api/orders"), 401, 200, 200, 200),
            new("list the user's orders", Send(get, $"/api/orders?user_id={user.Id}"), 401, 200, 403, 200),
            new("get the user's order", Send(get, $"/api/orders/{order}"), 401, 200, 404, 200),
            new("get a missing order", Send(get, "/api/orders/999999"), 401, 404, 404, 404),
            // Audit log and notifications
            new("audit log", Send(get, "/api/audit"), 401, 403, 403, 200),
            new("my notifications", Send(get, "/api/notifications/me"), 401, 200, 200, 200),
            new("all notifications", Send(get, "/api/notifications"), 401, 403, 403, 200),
            new("one user's notifications", Send(get, $"/api/notifications?user_id={user.Id}"), 401, 403, 403, 200),
            // Operations (the /ops page's sources)
            new("items outbox", Send(get, "/api/items/outbox"), 401, 403, 403, 200),
            new("items outbox events", Send(get, "/api/items/outbox/events?correlation_id=matrix"), 401, 403, 403, 200),
            new("items queues", Send(get, "/api/items/queues"), 401, 403, 403, 200),
            new("users outbox", Send(get, "/api/users/outbox"), 401, 403, 403, 200),
            new("users outbox events", Send(get, "/api/users/outbox/events?correlation_id=matrix"), 401, 403, 403, 200),
            new("audit queues", Send(get, "/api/audit/queues"), 401, 403, 403, 200),
            new("replay audit-log_error", Send(HttpMethod.Post, "/api/audit/queues/audit-log/replay"), 401, 403, 403, 200),
            new("notifications queues", Send(get, "/api/notifications/queues"), 401, 403, 403, 200),
            new("replay notifications_error", Send(HttpMethod.Post, "/api/notifications/queues/notifications/replay"), 401, 403, 403, 200),
            new("one request's audit entries", Send(get, "/api/audit?correlation_id=matrix"), 401, 403, 403, 200),
            new("one request's notifications", Send(get, "/api/notifications?correlation_id=matrix"), 401, 403, 403, 200),
            // The gateway's own
            new("ops page", Send(get, "/ops"), 200, 200, 200, 200),
            new("health", Send(get, "/health"), 200, 200, 200, 200),
            new("health live", Send(get, "/health/live"), 200, 200, 200, 200),
            new("health ready", Send(get, "/health/ready"), 200, 200, 200, 200),
            new("docs", Send(get, "/docs"), 200, 200, 200, 200),
            new("users openapi", Send(get, "/openapi/users.json"), 200, 200, 200, 200),
            new("items openapi", Send(get, "/openapi/items.json"), 200, 200, 200, 200),
            new("audit openapi", Send(get, "/openapi/audit.json"), 200, 200, 200, 200),
            new("notifications openapi", Send(get, "/openapi/notifications.json"), 200, 200, 200, 200),
            new("a path no route names", Send(get, "/api/nothing-here"), 404, 404, 404, 404),
        ];
    }

    [Fact]
    public async Task Every_route_answers_each_caller_as_the_contract_says()
    {
        var failures = new List<string>();
        var checks = 0;
        foreach (var route in Routes())
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                var token = caller switch
                {
                    Caller.User => suite.User.Token,
                    Caller.OtherUser => suite.OtherUser.Token,
                    Caller.Admin => suite.Admin.Token,
                    _ => null,
                };
                using var client = suite.GatewayClient(token);
                using var request = await route.Request();
                using var response = await client.SendAsync(request);
                checks++;
                var expected = route.Expected(caller);
                var status = (int)response.StatusCode;
                if (status != expected)
                    failures.Add($"{route.Name} as {caller}: {status}, expected {expected}: {await response.Content.ReadAsStringAsync()}");
                else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    failures.Add($"{route.Name} as {caller}: {status} as {response.Content.Headers.ContentType}, not a problem");
                else if (status == 401 && !response.Headers.WwwAuthenticate.Any(h => h.Scheme == "Bearer"))
                    failures.Add($"{route.Name} as {caller}: 401 without WWW-Authenticate: Bearer");
            }
        }
        suite.CountRoleChecks(checks);
        Assert.True(failures.Count == 0, $"{failures.Count} of {checks} checks failed:\n{string.Join('\n', failures)}");
    }
}
