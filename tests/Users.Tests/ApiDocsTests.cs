using System.Net;
using System.Text.Json;
using Store.Testing;

namespace Store.Users.Tests;

/// <summary>The live docs: Swagger UI, ReDoc, and an OpenAPI document that says what the API does, log-in included.</summary>
public sealed class ApiDocsTests(UsersApi api) : IClassFixture<UsersApi>
{
    [Theory]
    [InlineData("/docs/index.html", "swagger-ui")]
    [InlineData("/redoc/index.html", "redoc")]
    public async Task The_doc_pages_load(string path, string marker)
    {
        using var client = api.Anonymous();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(marker, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    public static TheoryData<string, string, string[]> Operations() => new()
    {
        { "/api/users", "post", ["201", "400", "409", "422"] },
        { "/api/users", "get", ["200", "400", "401", "403", "422"] },
        { "/api/users/{id}", "get", ["200", "401", "403", "404"] },
        { "/api/users/{id}", "delete", ["204", "401", "403", "404"] },
        { "/api/users/me", "get", ["200", "401"] },
        { "/api/users/me", "patch", ["200", "400", "401", "409", "422"] },
        { "/api/users/me/settings", "get", ["200", "401"] },
        { "/api/users/me/settings", "put", ["200", "400", "401", "422"] },
        { "/api/auth/token", "post", ["200", "400", "415"] },
        { "/.well-known/jwks.json", "get", ["200"] },
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task The_document_lists_each_operation_with_its_status_codes(string path, string method, string[] statuses)
    {
        var document = await LoadDocumentAsync();

        var operation = document.GetProperty("paths").GetProperty(path).GetProperty(method);

        var listed = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();
        Assert.Superset(statuses.ToHashSet(), listed);
        // Every operation says what it needs: a scheme when it answers 401, none (an empty list) when anyone may call it.
        Assert.Equal(statuses.Contains("401"), operation.GetProperty("security").GetArrayLength() > 0);
    }

    [Fact]
    public async Task The_token_operation_takes_the_form_fields_Swagger_UI_sends()
    {
        var document = await LoadDocumentAsync();

        var body = document.GetProperty("paths").GetProperty("/api/auth/token").GetProperty("post").GetProperty("requestBody").GetProperty("content");

        Assert.Equal(["application/x-www-form-urlencoded"], body.EnumerateObject().Select(c => c.Name));
        var schemaId = body.GetProperty("application/x-www-form-urlencoded").GetProperty("schema").GetProperty("$ref").GetString()!.Split('/')[^1];
        var fields = document.GetProperty("components").GetProperty("schemas").GetProperty(schemaId).GetProperty("properties")
            .EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "grant_type", "username", "password", "scope", "client_id" }, fields);
    }

    [Fact]
    public async Task Authorize_points_at_the_token_endpoint_this_service_serves_by_its_absolute_url_at_the_gateway()
    {
        var document = await LoadDocumentAsync();

        var tokenUrl = new Uri(document.GetProperty("components").GetProperty("securitySchemes").GetProperty("oauth2")
            .GetProperty("flows").GetProperty("password").GetProperty("tokenUrl").GetString()!);

        // Docs:TokenUrl is not set here: the gateway's address as up.sh and compose publish it, and a path this service serves.
        Assert.Equal("http://localhost:8080/", tokenUrl.GetLeftPart(UriPartial.Authority) + "/");
        Assert.True(document.GetProperty("paths").GetProperty(tokenUrl.AbsolutePath).TryGetProperty("post", out _));
    }

    [Fact]
    public async Task Every_operation_has_a_stable_unique_operation_id()
    {
        var ids = OpenApiDocument.OperationIds(await LoadDocumentAsync());

        Assert.Equal(
            ["DeleteUser", "GetMyAccount", "GetMySettings", "GetOutboxStatus", "GetSigningKeys", "GetUser", "IssueToken", "ListOutboxEvents",
             "ListUsers", "RegisterUser", "ReplaceMySettings", "UpdateMyAccount"], ids);
    }

    [Fact]
    public async Task User_responses_are_documented_with_their_wire_names_and_no_password()
    {
        var schemas = (await LoadDocumentAsync()).GetProperty("components").GetProperty("schemas");

        var response = schemas.GetProperty("Store.Users.Data.UserResponse").GetProperty("properties").EnumerateObject().Select(p => p.Name);
        var create = schemas.GetProperty("Store.Users.Registration.UserCreate").GetProperty("properties");

        Assert.Equal(["id", "username", "email", "full_name", "role", "is_active", "created_at"], response);
        Assert.Equal(50, create.GetProperty("username").GetProperty("maxLength").GetInt32());
        Assert.Equal(8, create.GetProperty("password").GetProperty("minLength").GetInt32());
    }

    [Fact]
    public async Task Health_ready_checks_the_users_database()
    {
        using var client = api.Anonymous();

        using var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("healthy", report.GetProperty("checks").GetProperty("users").GetProperty("status").GetString());
    }

    private async Task<JsonElement> LoadDocumentAsync()
    {
        using var client = api.Anonymous();
        using var response = await client.GetAsync("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
