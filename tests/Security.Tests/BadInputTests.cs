using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Store.Testing;

namespace Store.Security.Tests;

/// <summary>
/// Every write endpoint, through the gateway, with every field given every odd value of
/// <see cref="InputCatalog"/>, left out, and joined by an extra field, and with bodies that are too
/// large or too deep: each is a 4xx problem, or a 2xx where the contract takes the value (a
/// SQL-looking name is a name), and then the value round-trips unchanged. Never a 5xx, and what is
/// refused changes nothing.
/// </summary>
[Collection(SharedSuite.Name)]
public sealed class BadInputTests(SecuritySuite suite)
{
    private const string UsernamePattern = "^[A-Za-z0-9_.-]+$";
    // A dot-atom local part and a host name with a dot: what the mail library sends to as it is.
    private const string EmailPattern =
        @"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$";

    /// <summary>A write endpoint: its caller, its fields (each with a legal value), and where an accepted write is read back.</summary>
    private sealed record Endpoint(string Name, HttpMethod Method, string Path, string? Token, Func<Field[]> Fields, Func<HttpResponseMessage, string?> ReadBack);

    private static string? Location(HttpResponseMessage response) => response.Headers.Location?.OriginalString;

    private static string Quoted(string text) => JsonSerializer.Serialize(text);

    private async Task<Endpoint[]> EndpointsAsync()
    {
        var profile = await suite.RegisterAsync("profile");
        var target = await CreateItemAsync("Bad input target");
        Field[] ItemFields(bool patch) =>
        [
            new TextField("name", Quoted("Bad input item"), Required: !patch, 1, 100, NotBlank: true, SingleLine: true),
            new TextField("description", Quoted("described"), false, 0, 500, Nullable: true),
            new NumberField("price", "10.5", Required: !patch, 0m, 1_000_000m, MinExclusive: true, Places: 2),
            new NumberField("tax", "1", false, 0m, 1_000_000m, Places: 2, Nullable: true),
            new TagsField("tags", """["tagged"]"""),
            new NumberField("stock", "5", false, 0m, int.MaxValue),
        ];
        return
        [
            new("register", HttpMethod.Post, "/api/users", null, () =>
            {
                var name = Suite.Unique("reg");
                return
                [
                    new TextField("username", Quoted(name), true, 3, 50, Pattern: UsernamePattern),
                    new TextField("email", Quoted($"{name}@example.com"), true, 0, 254, Pattern: EmailPattern),
                    new TextField("full_name", Quoted("Reg Name"), false, 0, 100, NotBlank: true, Nullable: true, SingleLine: true),
                    new TextField("password", Quoted(suite.Scanner.Secret($"{name}-register-password")), true, 8, 128),
                ];
            }, Location),
            new("change my profile", HttpMethod.Patch, "/api/users/me", profile.Token, () =>
            [
                new TextField("full_name", Quoted("Profile Name"), false, 0, 100, NotBlank: true, Nullable: true, SingleLine: true),
                new TextField("email", Quoted($"{profile.Username}@example.com"), false, 0, 254, Pattern: EmailPattern),
            ], _ => "/api/users/me"),
            new("change my password with a wrong current one", HttpMethod.Patch, "/api/users/me", profile.Token, () =>
            [
                // Without the new password nothing changes (200); without the current one it is refused.
                new AlwaysRejectedField("password", Quoted(suite.Scanner.Secret("a-new-password-never-set")), Outcome.Accepted),
                new AlwaysRejectedField("current_password", Quoted(suite.Scanner.Secret("not-the-current-password")), Outcome.Rejected),
            ], _ => null),
            new("replace my settings", HttpMethod.Put, "/api/users/me/settings", profile.Token, () =>
                [new FlagField("email_notifications", "true")], _ => null),
            new("create an item", HttpMethod.Post, "/api/items", suite.Admin.Token, () => ItemFields(patch: false), Location),
            new("replace an item", HttpMethod.Put, $"/api/items/{target}", suite.Admin.Token, () => ItemFields(patch: false), _ => $"/api/items/{target}"),
            new("patch an item", HttpMethod.Patch, $"/api/items/{target}", suite.Admin.Token, () => ItemFields(patch: true), _ => $"/api/items/{target}"),
            new("purchase", HttpMethod.Post, $"/api/items/{suite.ItemId}/purchase", suite.User.Token, () =>
                [new NumberField("quantity", "1", true, 1m, 1000m)], _ => null),
            new("place an order", HttpMethod.Post, "/api/orders", suite.User.Token, () =>
            [
                new NumberField("item_id", suite.ItemId.ToString(System.Globalization.CultureInfo.InvariantCulture), true, suite.ItemId, suite.ItemId),
                new NumberField("quantity", "1", true, 1m, 1000m),
            ], _ => null),
        ];
    }

    private async Task<int> CreateItemAsync(string name)
    {
        using var admin = suite.GatewayClient(suite.Admin.Token);
        using var created = await admin.PostAsJsonAsync("/api/items", new { name, price = 3m, stock = 10 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    /// <summary>One request of the sweep: the body, what it must get, and the string sent in <see cref="Field"/> (to find it again).</summary>
    private sealed record Case(Endpoint Endpoint, string What, string Body, Outcome Expected, string? Field = null, Value? Value = null);

    private static string BodyOf(IEnumerable<(string Name, string Json)> fields) =>
        "{" + string.Join(", ", fields.Select(f => $"{Quoted(f.Name)}: {f.Json}")) + "}";

    private static IEnumerable<Case> CasesOf(Endpoint endpoint)
    {
        var count = endpoint.Fields().Length;
        foreach (var value in InputCatalog.BodyValues())
        {
            for (var index = 0; index < count; index++)
            {
                // Fresh fields for every request: a new account needs a username and e-mail of its own.
                var fields = endpoint.Fields();
                var field = fields[index];
                var sent = field is TagsField ? TagsField.Wrap(value) : value.Json;
                var body = BodyOf(fields.Select(f => (f.Name, f == field ? sent : f.BaseJson)));
                yield return new Case(endpoint, $"{field.Name} = {value.Name}", body, field.Judge(value), field.Name, value);
            }
        }
        var all = endpoint.Fields();
        var baseOutcome = all.Any(f => f is AlwaysRejectedField) ? Outcome.Rejected : Outcome.Accepted;
        foreach (var field in all)
        {
            var fields = endpoint.Fields();
            yield return new Case(endpoint, $"{field.Name} left out", BodyOf(fields.Where(f => f.Name != field.Name).Select(f => (f.Name, f.BaseJson))), field.WhenLeftOut);
        }
        var extra = endpoint.Fields().Select(f => (f.Name, f.BaseJson))
            .Concat([("role", Quoted("admin")), ("is_admin", "true"), ("id", "1"), ("user_id", "1"), ("password_hash", Quoted("x"))]);
        yield return new Case(endpoint, "extra fields", BodyOf(extra), baseOutcome);
        yield return new Case(endpoint, "deeply nested body", new string('[', 5000) + new string(']', 5000), Outcome.Rejected);
        yield return new Case(endpoint, "array body", "[]", Outcome.Rejected);
        yield return new Case(endpoint, "null body", "null", Outcome.Rejected);
        yield return new Case(endpoint, "empty body", "", Outcome.Rejected);
        yield return new Case(endpoint, "not JSON", "{name: x}", Outcome.Rejected);
        yield return new Case(endpoint, "duplicate fields", BodyOf(endpoint.Fields().Select(f => (f.Name, f.BaseJson)).Concat(endpoint.Fields().Select(f => (f.Name, f.BaseJson)))), Outcome.Either);
    }

    private async Task<HttpResponseMessage> SendAsync(Endpoint endpoint, string body, bool expectContinue = false, string contentType = "application/json; charset=utf-8")
    {
        using var client = suite.GatewayClient(endpoint.Token);
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        using var request = new HttpRequestMessage(endpoint.Method, endpoint.Path) { Content = content };
        // For a body the gateway refuses unread: its 413 comes before the upload, which it would
        // otherwise cut off mid-way (the client then sees a broken pipe instead of the answer).
        request.Headers.ExpectContinue = expectContinue;
        return await client.SendAsync(request);
    }

    /// <summary>Whether a response is what the case must get; null when it is, else why not.</summary>
    private static async Task<string?> MismatchAsync(HttpResponseMessage response, Outcome expected)
    {
        var status = (int)response.StatusCode;
        var rejected = status is >= 400 and < 500;
        if (rejected && !IsError(response))
            return $"{status} as {response.Content.Headers.ContentType}: {await response.Content.ReadAsStringAsync()}";
        return expected switch
        {
            Outcome.Rejected when !rejected => $"{status}, expected a 4xx: {Excerpt(await response.Content.ReadAsStringAsync())}",
            Outcome.Accepted when status is < 200 or >= 300 => $"{status}, expected a 2xx: {Excerpt(await response.Content.ReadAsStringAsync())}",
            Outcome.Either when !rejected && status is < 200 or >= 300 => $"{status}, expected a 2xx or 4xx",
            _ => null,
        };
    }

    /// <summary>A problem, or the token endpoint's RFC 6749 error (application/json with <c>error</c>).</summary>
    private static bool IsError(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is "application/problem+json"
        || (response.RequestMessage?.RequestUri?.AbsolutePath == "/api/auth/token" && response.Content.Headers.ContentType?.MediaType == "application/json");

    private static string Excerpt(string body) => body.Length > 300 ? body[..300] : body;

    [Fact]
    public async Task Bad_bodies_are_4xx_problems_and_change_nothing()
    {
        var endpoints = await EndpointsAsync();
        var before = await suite.SnapshotAsync();
        var failures = new List<string>();
        var checks = 0;
        foreach (var endpoint in endpoints)
        {
            foreach (var @case in CasesOf(endpoint).Where(c => c.Expected == Outcome.Rejected))
            {
                using var response = await SendAsync(endpoint, @case.Body);
                checks++;
                if (await MismatchAsync(response, @case.Expected) is { } mismatch)
                    failures.Add($"{endpoint.Name}, {@case.What}: {mismatch}");
            }
            // A charset the server cannot decode: 415, not the 500 of a failed transcoding.
            var valid = BodyOf(endpoint.Fields().Select(f => (f.Name, f.BaseJson)));
            foreach (var charset in new[] { "windows-1252", "x-unknown" })
            {
                using var unsupported = await SendAsync(endpoint, valid, contentType: $"application/json; charset={charset}");
                checks++;
                if (unsupported.StatusCode != HttpStatusCode.UnsupportedMediaType || !IsError(unsupported))
                    failures.Add($"{endpoint.Name}, charset={charset}: {(int)unsupported.StatusCode} {Excerpt(await unsupported.Content.ReadAsStringAsync())}");
            }
            // Over the gateway's 1 MiB cap: 413 before the service sees it.
            using var oversized = await SendAsync(endpoint, BodyOf([("name", Quoted(new string('x', 2 * 1024 * 1024)))]), expectContinue: true);
            checks++;
            if (oversized.StatusCode != HttpStatusCode.RequestEntityTooLarge || oversized.Content.Headers.ContentType?.MediaType != "application/problem+json")
                failures.Add($"{endpoint.Name}, 2 MiB body: {(int)oversized.StatusCode} {oversized.Content.Headers.ContentType}");
        }
        checks += await TokenFormAsync(failures);
        suite.CountBadInputs(checks);
        Assert.True(failures.Count == 0, $"{failures.Count} of {checks} checks failed:\n{string.Join('\n', failures)}");
        Assert.Equal(before, await suite.SnapshotAsync());
    }

    /// <summary>POST /api/auth/token with odd usernames and passwords: always refused (400), never a 5xx; returns the checks made.</summary>
    private async Task<int> TokenFormAsync(List<string> failures)
    {
        var texts = InputCatalog.SqlLooking.Concat(InputCatalog.OddText.Select(t => t.Text))
            .Concat(["a\0b", "\0", "", new string('x', 10_000), "\U0001F600"]).ToList();
        var forms = texts.Select(text => (What: $"username {Quoted(text)}", Fields: new[] { ("username", text), ("password", "wrong-password-for-sure") }))
            .Concat(texts.Select(text => (What: $"password {Quoted(text)}", Fields: new[] { ("username", suite.User.Username), ("password", text) })))
            .Concat([("no fields", Array.Empty<(string, string)>()), ("grant_type client_credentials", [("grant_type", "client_credentials"), ("username", suite.User.Username), ("password", suite.User.Password)])]);
        var checks = 0;
        using var client = suite.GatewayClient();
        foreach (var (what, fields) in forms)
        {
            using var response = await client.PostAsync("/api/auth/token", new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))));
            checks++;
            if (await MismatchAsync(response, Outcome.Rejected) is { } mismatch)
                failures.Add($"log in, {(what.Length > 80 ? what[..80] : what)}: {mismatch}");
        }
        using var json = await client.PostAsync("/api/auth/token", new StringContent("""{"username": "admin", "password": "x"}""", Encoding.UTF8, "application/json"));
        checks++;
        if (await MismatchAsync(json, Outcome.Rejected) is { } jsonMismatch)
            failures.Add($"log in as JSON: {jsonMismatch}");
        return checks;
    }

    [Fact]
    public async Task Odd_but_legal_values_are_taken_and_read_back_unchanged()
    {
        var endpoints = await EndpointsAsync();
        var failures = new List<string>();
        var checks = 0;
        using var admin = suite.GatewayClient(suite.Admin.Token);
        foreach (var endpoint in endpoints)
        {
            foreach (var @case in CasesOf(endpoint).Where(c => c.Expected != Outcome.Rejected))
            {
                using var response = await SendAsync(endpoint, @case.Body);
                checks++;
                if (await MismatchAsync(response, @case.Expected) is { } mismatch)
                {
                    failures.Add($"{endpoint.Name}, {@case.What}: {mismatch}");
                    continue;
                }
                if (!response.IsSuccessStatusCode || @case.Value?.Text is not { } sent)
                    continue;
                var answered = JsonNode.Parse(await response.Content.ReadAsStringAsync());
                if (endpoint.Name == "register" && answered?["role"]?.GetValue<string>() != "user")
                    failures.Add($"register, {@case.What}: role {answered?["role"]}");
                failures.AddRange(RoundTrip($"{endpoint.Name}, {@case.What}, as answered", answered, @case.Field!, sent));
                if (endpoint.ReadBack(response) is { } path)
                {
                    using var reader = suite.GatewayClient(endpoint.Token ?? suite.Admin.Token);
                    failures.AddRange(RoundTrip($"{endpoint.Name}, {@case.What}, read back", JsonNode.Parse(await reader.GetStringAsync(path)), @case.Field!, sent));
                }
            }
        }
        suite.CountBadInputs(checks);
        Assert.True(failures.Count == 0, $"{failures.Count} of {checks} checks failed:\n{string.Join('\n', failures)}");
    }

    /// <summary>The field as sent, in an answer that has it (passwords are never in one).</summary>
    private static IEnumerable<string> RoundTrip(string what, JsonNode? answer, string field, string sent)
    {
        if (field.Contains("password", StringComparison.Ordinal))
        {
            if (answer?[field] is not null)
                yield return $"{what}: the answer has {field}";
            yield break;
        }
        var got = answer?[field];
        var value = got is JsonArray array ? array.SingleOrDefault()?.GetValue<string>() : got?.GetValue<string>();
        if (!string.Equals(value, sent, StringComparison.Ordinal))
            yield return $"{what}: {field} came back as {got?.ToJsonString()}, sent {Quoted(sent)}";
    }
}
