using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Store.Testing;

namespace Store.EndToEnd.Tests;

/// <summary>
/// The API docs across the suite. Swagger UI's "Authorize" on every /docs page, the gateway's and
/// each service's own: a service's document names the token endpoint by the absolute URL of
/// <c>Docs:TokenUrl</c> (the gateway's), the gateway lets those pages' origins call it
/// (<c>Cors:DocsOrigins</c>), and the gateway's copies of the documents name it relative to the
/// gateway; Browser/docs-pages.mjs logs in on each page in Chromium and calls one operation that
/// needs the token. And every document, as a service serves it and as the gateway does, passes
/// Redocly's recommended rules (OpenApiLint/).
/// </summary>
public sealed class ApiDocsTests(Suite suite) : IClassFixture<Suite>
{
    private static readonly string[] Documents = ["users", "items", "audit", "notifications"];

    [Fact]
    public async Task Each_services_document_names_the_gateways_token_endpoint_and_the_gateways_copy_names_it_relative()
    {
        var tokenUrl = new Uri(suite.Gateway.Address, "api/auth/token").ToString();
        foreach (var service in new[] { suite.Users, suite.Items, suite.AuditLog, suite.Notifications })
        {
            using var client = service.CreateClient();
            Assert.Equal(tokenUrl, TokenUrl(await client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json")));
        }
        using var gateway = suite.Client();
        foreach (var document in Documents)
            Assert.Equal("/api/auth/token", TokenUrl(await gateway.GetFromJsonAsync<JsonElement>($"/openapi/{document}.json")));
    }

    [Fact]
    public async Task The_token_endpoint_answers_a_services_docs_origin_and_no_other()
    {
        using var client = suite.Client();
        var docsOrigin = suite.Items.Address.ToString().TrimEnd('/');

        using var allowed = await client.SendAsync(Preflight(docsOrigin));
        using var refused = await client.SendAsync(Preflight("http://elsewhere.example"));
        // An API route is not opened to the docs origins by it.
        using var apiPreflight = new HttpRequestMessage(HttpMethod.Options, "/api/orders");
        apiPreflight.Headers.Add("Origin", docsOrigin);
        apiPreflight.Headers.Add("Access-Control-Request-Method", "GET");
        apiPreflight.Headers.Add("Access-Control-Request-Headers", "authorization");
        using var api = await client.SendAsync(apiPreflight);

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(docsOrigin, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(api.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Authorize_and_a_protected_call_work_on_all_five_docs_pages_in_a_browser()
    {
        var pages = new object[]
        {
            Page("gateway", suite.Gateway, "docs/index.html?urls.primaryName=Items", "ListOrders"),
            Page("users", suite.Users, "docs/index.html", "GetMyAccount"),
            Page("items", suite.Items, "docs/index.html", "ListOrders"),
            Page("audit-log", suite.AuditLog, "docs/index.html", "ListAuditEntries"),
            Page("notifications", suite.Notifications, "docs/index.html", "ListNotifications"),
        };
        var screenshots = Environment.GetEnvironmentVariable("DOCS_SCREENSHOTS") is { Length: > 0 } folder
            ? folder
            : Directory.CreateTempSubdirectory("docs-pages-").FullName;

        var (exitCode, output, errors) = await NodeScript.RunAsync("Browser", ["docs-pages.mjs"], new()
        {
            ["PAGES"] = JsonSerializer.Serialize(pages),
            ["USERNAME"] = Suite.AdminUsername,
            ["PASSWORD"] = Suite.AdminPassword,
            ["SCREENSHOTS"] = screenshots,
        });

        Assert.True(exitCode == 0, $"docs-pages.mjs exited with {exitCode}:\n{output}\n{errors}");
        Assert.Contains("docs-pages: passed", output);
        foreach (var name in new[] { "gateway", "users", "items", "audit-log", "notifications" })
        {
            Assert.Contains($"docs-pages: {name}: logged in at {suite.Gateway.Address}api/auth/token", output);
            Assert.True(new FileInfo(Path.Combine(screenshots, $"docs-{name}.png")).Length > 10_000, $"no screenshot of {name}'s page");
        }
    }

    [Fact]
    public async Task Every_document_as_a_service_and_the_gateway_serve_it_has_no_error_by_Redoclys_recommended_rules()
    {
        var folder = Directory.CreateTempSubdirectory("openapi-lint-").FullName;
        var documents = new List<string>();
        using var gateway = suite.Client();
        foreach (var (name, service) in new[] { ("users", suite.Users), ("items", suite.Items), ("audit", suite.AuditLog), ("notifications", suite.Notifications) })
        {
            using var client = service.CreateClient();
            documents.Add(await SaveAsync(client, "/swagger/v1/swagger.json", Path.Combine(folder, $"{name}.json")));
            documents.Add(await SaveAsync(gateway, $"/openapi/{name}.json", Path.Combine(folder, $"gateway-{name}.json")));
        }

        var errors = new List<string>();
        var warnings = 0;
        foreach (var document in documents)
        {
            var (_, output, stderr) = await NodeScript.RunAsync("OpenApiLint",
                ["node_modules/@redocly/cli/bin/cli.js", "lint", "--format=json", document]);
            Assert.True(output.TrimStart().StartsWith('{'), $"redocly lint {document} wrote no report:\n{output}\n{stderr}");
            using var report = JsonDocument.Parse(output);
            warnings += report.RootElement.GetProperty("totals").GetProperty("warnings").GetInt32();
            errors.AddRange(report.RootElement.GetProperty("problems").EnumerateArray()
                .Where(problem => problem.GetProperty("severity").GetString() == "error")
                .Select(problem => $"{Path.GetFileName(document)}: {problem.GetProperty("ruleId")} at " +
                    $"{problem.GetProperty("location")[0].GetProperty("pointer")}: {problem.GetProperty("message")}"));
        }
        TestReport.Add($"openapi lint: {documents.Count} documents, {errors.Count} errors, {warnings} warnings (Redocly's recommended rules)");

        Assert.True(errors.Count == 0, string.Join('\n', errors));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task The_example_of_every_request_body_in_the_documents_is_accepted_by_the_api()
    {
        using var gateway = suite.Client();
        var items = Examples(await gateway.GetFromJsonAsync<JsonElement>("/openapi/items.json"));
        var users = Examples(await gateway.GetFromJsonAsync<JsonElement>("/openapi/users.json"));
        Assert.Equal(["Store.Items.Catalog.ItemCreate", "Store.Items.Catalog.ItemPatch", "Store.Items.Orders.OrderCreate", "Store.Items.Orders.PurchaseRequest"],
            items.Keys.Order());
        Assert.Equal(["Store.Users.Profile.SettingsUpdate", "Store.Users.Profile.UserPatch", "Store.Users.Registration.UserCreate"], users.Keys.Order());

        using var admin = suite.Client(await suite.LogInAsync(Suite.AdminUsername, Suite.AdminPassword));
        using var created = await admin.PostAsync("/api/items", Json(items["Store.Items.Catalog.ItemCreate"]));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var itemId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        using var replaced = await admin.PutAsync($"/api/items/{itemId}", Json(items["Store.Items.Catalog.ItemCreate"]));
        using var patched = await admin.PatchAsync($"/api/items/{itemId}", Json(items["Store.Items.Catalog.ItemPatch"]));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (replaced.StatusCode, patched.StatusCode));

        using var registered = await gateway.PostAsync("/api/users", Json(users["Store.Users.Registration.UserCreate"]));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var example = users["Store.Users.Registration.UserCreate"];
        using var user = suite.Client(await suite.LogInAsync(example.GetProperty("username").GetString()!, example.GetProperty("password").GetString()!));
        using var renamed = await user.PatchAsync("/api/users/me", Json(users["Store.Users.Profile.UserPatch"]));
        using var settings = await user.PutAsync("/api/users/me/settings", Json(users["Store.Users.Profile.SettingsUpdate"]));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (renamed.StatusCode, settings.StatusCode));
        using var bought = await user.PostAsync($"/api/items/{itemId}/purchase", Json(items["Store.Items.Orders.PurchaseRequest"]));
        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        // The order's example names item 1, which may not exist here: it passes validation whatever the answer.
        using var ordered = await user.PostAsync("/api/orders", Json(items["Store.Items.Orders.OrderCreate"]));
        Assert.True(ordered.StatusCode is HttpStatusCode.Created or HttpStatusCode.NotFound or HttpStatusCode.Conflict,
            $"the order's example answered {(int)ordered.StatusCode}: {await ordered.Content.ReadAsStringAsync()}");
    }

    private static Dictionary<string, JsonElement> Examples(JsonElement document) =>
        document.GetProperty("components").GetProperty("schemas").EnumerateObject()
            .Where(schema => schema.Value.TryGetProperty("example", out _))
            .ToDictionary(schema => schema.Name, schema => schema.Value.GetProperty("example").Clone());

    private static StringContent Json(JsonElement body) => new(body.GetRawText(), System.Text.Encoding.UTF8, "application/json");

    /// <summary>
    /// The documents the generated client is built from (docs/openapi/, the client <see cref="GeneratedClientTests"/> drives)
    /// are the gateway's, as it serves them now. After a change to the API, refresh them with
    /// <c>OPENAPI_SNAPSHOT=write infra/test.sh --filter ApiDocsTests</c> and review the diff.
    /// </summary>
    [Theory]
    [InlineData("users")]
    [InlineData("items")]
    public async Task The_committed_document_is_the_one_the_gateway_serves(string service)
    {
        using var gateway = suite.Client();
        var served = JsonNode.Parse(await gateway.GetStringAsync($"/openapi/{service}.json"))!;
        var file = Path.Combine(ServiceProcess.RepositoryRoot(), "docs", "openapi", $"{service}.json");

        if (Environment.GetEnvironmentVariable("OPENAPI_SNAPSHOT") == "write")
            await File.WriteAllTextAsync(file, served.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

        Assert.True(File.Exists(file), $"{file} is missing");
        Assert.True(JsonNode.DeepEquals(served, JsonNode.Parse(await File.ReadAllTextAsync(file))),
            $"{file} is not the document the gateway serves at /openapi/{service}.json: " +
            "refresh it with OPENAPI_SNAPSHOT=write infra/test.sh --filter ApiDocsTests, then review and commit the change");
    }

    private static async Task<string> SaveAsync(HttpClient client, string path, string file)
    {
        var document = await client.GetStringAsync(path);
        await File.WriteAllTextAsync(file, document);
        return file;
    }

    private static object Page(string name, ServiceProcess process, string path, string operation) =>
        new { name, url = new Uri(process.Address, path).ToString(), operation };

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/auth/token");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,x-requested-with");
        return request;
    }

    private static string? TokenUrl(JsonElement document) => document.GetProperty("components").GetProperty("securitySchemes")
        .GetProperty("oauth2").GetProperty("flows").GetProperty("password").GetProperty("tokenUrl").GetString();
}
