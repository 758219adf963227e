using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Store.Security.Tests;

/// <summary>
/// Every query parameter of every list, through the gateway, with odd values: 4xx problem for what
/// the contract refuses (skip below 0, limit outside its range, a number that is not one, a NUL), 2xx
/// for the rest. A search is literal: its %, _ and \ match only themselves, checked against every
/// row. Nothing changes.
/// </summary>
[Collection(SharedSuite.Name)]
public sealed class BadQueryTests(SecuritySuite suite)
{
    /// <summary>A query value as sent (already percent-encoded) and what it must get.</summary>
    private sealed record QueryValue(string Name, string Encoded, Outcome Expected);

    private static QueryValue Text(string name, string text, int max) =>
        new(name, Uri.EscapeDataString(text), text.Length <= max ? Outcome.Accepted : Outcome.Rejected);

    private static IEnumerable<QueryValue> Strings(int max)
    {
        foreach (var sql in InputCatalog.SqlLooking)
            yield return Text($"SQL {sql}", sql, max);
        foreach (var (name, text) in InputCatalog.OddText)
            yield return Text(name, text, max);
        yield return Text("long", new string('x', 1000), max);
        yield return new QueryValue("NUL", "a%00b", Outcome.Rejected);
        yield return new QueryValue("NUL only", "%00", Outcome.Rejected);
        yield return new QueryValue("invalid UTF-8 (lone surrogate)", "%ED%A0%80", Outcome.Either);
        yield return new QueryValue("invalid UTF-8 (cut)", "%F0%9F", Outcome.Either);
        yield return new QueryValue("empty", "", Outcome.Accepted);
    }

    private static IEnumerable<QueryValue> Integers(long min, long max)
    {
        foreach (var number in new[] { "-1", "0", "1", "100", "101", "200", "201", "2147483647", "2147483648", "-2147483649", "9223372036854775808", "-9223372036854775809" })
        {
            var value = long.Parse(number.Length > 18 ? "0" : number, CultureInfo.InvariantCulture);
            var legal = number.Length <= 18 && value >= min && value <= max;
            yield return new QueryValue(number, number, legal ? Outcome.Accepted : Outcome.Rejected);
        }
        foreach (var bad in new[] { "abc", "1.5", "1e3", "0x10", "%00", "1%00", "%EF%BC%91", "NaN", "--1", "1,000" })
            yield return new QueryValue(bad, bad, Outcome.Rejected);
        yield return new QueryValue("empty", "", Outcome.Either);
        yield return new QueryValue("spaces around", "%201%20", Outcome.Either);
    }

    private static IEnumerable<QueryValue> Booleans() =>
    [
        new("true", "true", Outcome.Accepted), new("False", "False", Outcome.Accepted),
        new("1", "1", Outcome.Rejected), new("yes", "yes", Outcome.Rejected), new("maybe", "maybe", Outcome.Rejected),
        new("NUL", "true%00", Outcome.Rejected), new("empty", "", Outcome.Either),
    ];

    private static IEnumerable<QueryValue> Dates() =>
    [
        new("ISO", "2026-01-01T00:00:00Z", Outcome.Accepted),
        new("date only", "2026-01-01", Outcome.Accepted),
        new("yesterday", "yesterday", Outcome.Rejected),
        new("month 13", "2026-13-45", Outcome.Rejected),
        new("NUL", "2026-01-01%00", Outcome.Rejected),
        new("year 1", "0001-01-01T00:00:00Z", Outcome.Either),
        new("year 1 at +14:00", "0001-01-01T00:00:00%2B14:00", Outcome.Either),
        new("year 9999", "9999-12-31T23:59:59Z", Outcome.Either),
        new("year 9999 at -14:00", "9999-12-31T23:59:59-14:00", Outcome.Either),
        new("number", "1", Outcome.Either),
        new("SQL", Uri.EscapeDataString("2026-01-01' OR 1=1 --"), Outcome.Rejected),
        new("empty", "", Outcome.Either),
    ];

    private IEnumerable<(string List, string Path, string? Token, string Parameter, IEnumerable<QueryValue> Values)> Parameters()
    {
        var admin = suite.Admin.Token;
        var user = suite.User.Token;
        foreach (var (path, token, limitMax) in new[]
                 {
                     ("/api/items", (string?)null, 100), ("/api/users", admin, 100), ("/api/orders", admin, 100), ("/api/orders", user, 100),
                     ("/api/audit", admin, 100), ("/api/notifications", admin, 100), ("/api/notifications/me", user, 100),
                 })
        {
            var who = token == admin ? "admin" : token == user ? "user" : "anonymous";
            yield return ($"{path} as {who}", path, token, "skip", Integers(0, int.MaxValue));
            yield return ($"{path} as {who}", path, token, "limit", Integers(1, limitMax));
        }
        yield return ("/api/items", "/api/items", null, "search", Strings(100));
        yield return ("/api/items", "/api/items", null, "tag", Strings(30));
        yield return ("/api/items", "/api/items", null, "in_stock", Booleans());
        yield return ("/api/users", "/api/users", admin, "search", Strings(100));
        yield return ("/api/orders as admin", "/api/orders", admin, "user_id", Integers(1, int.MaxValue));
        yield return ("/api/notifications", "/api/notifications", admin, "user_id", Integers(1, int.MaxValue));
        yield return ("/api/audit", "/api/audit", admin, "event_type", Strings(100));
        yield return ("/api/audit", "/api/audit", admin, "resource_type", Strings(50));
        yield return ("/api/audit", "/api/audit", admin, "resource_id", Strings(100));
        yield return ("/api/audit", "/api/audit", admin, "actor_id", Integers(1, int.MaxValue));
        yield return ("/api/audit", "/api/audit", admin, "since", Dates());
        yield return ("/api/audit", "/api/audit", admin, "until", Dates());
    }

    [Fact]
    public async Task Odd_query_values_are_4xx_problems_or_answered_and_change_nothing()
    {
        var before = await suite.SnapshotAsync();
        var failures = new List<string>();
        var checks = 0;
        foreach (var (list, path, token, parameter, values) in Parameters())
        {
            using var client = suite.GatewayClient(token);
            foreach (var value in values)
            {
                using var response = await client.GetAsync($"{path}?{parameter}={value.Encoded}");
                checks++;
                var status = (int)response.StatusCode;
                var rejected = status is >= 400 and < 500;
                var ok = value.Expected switch
                {
                    Outcome.Rejected => rejected,
                    Outcome.Accepted => status == 200,
                    _ => rejected || status == 200,
                };
                if (!ok)
                    failures.Add($"{list}, {parameter} = {value.Name}: {status}, expected {value.Expected}");
                else if (rejected && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    failures.Add($"{list}, {parameter} = {value.Name}: {status} as {response.Content.Headers.ContentType}, not a problem");
            }
        }
        using (var admin = suite.GatewayClient(suite.Admin.Token))
        {
            using var backwards = await admin.GetAsync("/api/audit?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z");
            checks++;
            if (backwards.StatusCode != HttpStatusCode.UnprocessableEntity)
                failures.Add($"/api/audit, until before since: {(int)backwards.StatusCode}, expected 422");
        }
        suite.CountBadInputs(checks);
        Assert.True(failures.Count == 0, $"{failures.Count} of {checks} checks failed:\n{string.Join('\n', failures)}");
        Assert.Equal(before, await suite.SnapshotAsync());
    }

    [Fact]
    public async Task A_search_matches_its_characters_literally()
    {
        using var admin = suite.GatewayClient(suite.Admin.Token);
        foreach (var name in new[] { "100% wool", "snake_case lamp", @"back\slash", "plain lamp" })
        {
            using var created = await admin.PostAsync("/api/items", new StringContent(
                System.Text.Json.JsonSerializer.Serialize(new { name, price = 1m }), System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        var items = await SecuritySuite.AllAsync(admin, "/api/items");
        var users = await SecuritySuite.AllAsync(admin, "/api/users");
        var checks = 0;
        foreach (var term in InputCatalog.SqlLooking.Concat(InputCatalog.OddText.Select(t => t.Text)))
        {
            var expectedItems = items.Count(i => Contains(i, term, "name", "description"));
            Assert.Equal(expectedItems, await TotalAsync(admin, $"/api/items?search={Uri.EscapeDataString(term)}"));
            var expectedUsers = users.Count(u => Contains(u, term, "username", "email", "full_name"));
            Assert.Equal(expectedUsers, await TotalAsync(admin, $"/api/users?search={Uri.EscapeDataString(term)}"));
            checks += 2;
        }
        // A wildcard finds what it names, not the whole catalog.
        Assert.InRange(items.Count(i => Contains(i, "%", "name", "description")), 1, items.Count - 1);
        Assert.InRange(items.Count(i => Contains(i, "_", "name", "description")), 1, items.Count - 1);
        suite.CountBadInputs(checks);
    }

    private static bool Contains(JsonNode? row, string term, params string[] fields) =>
        fields.Any(field => row?[field]?.GetValue<string>() is { } text && text.Contains(term, StringComparison.OrdinalIgnoreCase));

    private static async Task<int> TotalAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return int.Parse(response.Headers.GetValues("X-Total-Count").Single(), CultureInfo.InvariantCulture);
    }
}
