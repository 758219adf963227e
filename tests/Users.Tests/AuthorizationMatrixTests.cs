using System.Net.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Store.Users.Data;

namespace Store.Users.Tests;

/// <summary>
/// Every endpoint of the service, called anonymously, as the user it concerns, as another user and
/// as an admin, answers as docs/contract.md says: 401 without a token, 403 for the wrong caller, 2xx otherwise.
/// </summary>
public sealed class AuthorizationMatrixTests(UsersApi api) : IClassFixture<UsersApi>
{
    public enum Caller
    {
        Anonymous,
        TheUser,
        AnotherUser,
        Admin,
    }

    // (method, route, anonymous, the user, another user, admin). {id} is the user's own id.
    private static readonly (string Method, string Route, int[] Expected)[] Contract =
    [
        ("POST", "/api/users", [201, 201, 201, 201]),
        ("POST", "/api/auth/token", [200, 200, 200, 200]),
        ("GET", "/.well-known/jwks.json", [200, 200, 200, 200]),
        ("GET", "/api/users/me", [401, 200, 200, 200]),
        ("PATCH", "/api/users/me", [401, 200, 200, 200]),
        ("GET", "/api/users/me/settings", [401, 200, 200, 200]),
        ("PUT", "/api/users/me/settings", [401, 200, 200, 200]),
        ("GET", "/api/users", [401, 403, 403, 200]),
        ("GET", "/api/users/{id}", [401, 200, 403, 200]),
        ("DELETE", "/api/users/{id}", [401, 403, 403, 204]),
        ("GET", "/api/users/outbox", [401, 403, 403, 200]),
        ("GET", "/api/users/outbox/events", [401, 403, 403, 200]),
    ];

    /// <summary>The query a route needs to answer 2xx: following a request needs its id.</summary>
    private static string QueryFor(string route) => route.EndsWith("/outbox/events", StringComparison.Ordinal) ? "?correlation_id=matrix" : "";

    public static TheoryData<string, string, Caller, int> Matrix()
    {
        var data = new TheoryData<string, string, Caller, int>();
        foreach (var (method, route, expected) in Contract)
        {
            foreach (var caller in Enum.GetValues<Caller>())
                data.Add(method, route, caller, expected[(int)caller]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_endpoint_answers_each_caller_as_the_contract_says(string method, string route, Caller caller, int expected)
    {
        var theUser = await api.RegisterAsync();
        using var client = caller switch
        {
            Caller.Anonymous => api.Anonymous(),
            Caller.TheUser => api.ClientWith(await api.TokenAsync(theUser.Username)),
            Caller.AnotherUser => api.ClientWith(await api.TokenAsync((await api.RegisterAsync()).Username)),
            _ => await api.AsRealAdminAsync(),
        };
        using var request = new HttpRequestMessage(new HttpMethod(method), route.Replace("{id}", theUser.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) + QueryFor(route))
        {
            Content = BodyFor(method, route, theUser),
        };

        using var response = await client.SendAsync(request);

        Assert.True((int)response.StatusCode == expected, $"{caller}: {method} {route} answered {(int)response.StatusCode}, not {expected}");
        if (expected == 401)
            response.AssertBearerChallenge();
        if (expected == 403)
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void The_matrix_covers_every_endpoint_the_service_maps()
    {
        var mapped = api.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m =>
                $"{m} /{endpoint.RoutePattern.RawText!.Trim('/').Replace(":int", "", StringComparison.Ordinal)}"))
            .Where(name => name.Contains(" /api/", StringComparison.Ordinal) || name.Contains(" /.well-known/", StringComparison.Ordinal))
            .ToHashSet();

        Assert.Equal(Contract.Select(c => $"{c.Method} {c.Route}").ToHashSet(), mapped);
    }

    private static HttpContent? BodyFor(string method, string route, UserResponse theUser) => (method, route) switch
    {
        ("POST", "/api/users") => NewRegistration(),
        ("POST", "/api/auth/token") => new FormUrlEncodedContent([new("username", theUser.Username), new("password", UsersApi.Password)]),
        ("PATCH", _) => JsonContent.Create(new { full_name = "Matrix" }),
        ("PUT", _) => JsonContent.Create(new { email_notifications = false }),
        _ => null,
    };

    private static JsonContent NewRegistration()
    {
        var username = UsersApi.UniqueName();
        return JsonContent.Create(new { username, email = $"{username}@example.com", password = UsersApi.Password });
    }
}
