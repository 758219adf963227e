using System.Globalization;
using System.Net;

namespace Store.Gateway.Tests;

/// <summary>A gateway that lets each client make <see cref="PermitLimit"/> requests a minute.</summary>
public sealed class RateLimitedGateway : GatewayUnderTest
{
    public const int PermitLimit = 20;

    protected override void Configure(Dictionary<string, string?> gateway)
    {
        gateway["RateLimits:PerClient:PermitLimit"] = PermitLimit.ToString(CultureInfo.InvariantCulture);
        gateway["RateLimits:PerClient:Window"] = "00:01:00";
    }
}

public sealed class RateLimitTests(RateLimitedGateway gateway) : IClassFixture<RateLimitedGateway>
{
    [Fact]
    public async Task Past_its_limit_a_client_gets_429_problem_with_Retry_After_and_health_probes_still_pass()
    {
        using var client = gateway.Client();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < RateLimitedGateway.PermitLimit; i++)
        {
            using var allowed = await client.GetAsync("/api/items");
            statuses.Add(allowed.StatusCode);
        }

        using var refused = await client.GetAsync("/api/items");

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        var problem = await Answers.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Contains($"try again in {retryAfter} seconds", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // /health asks every service: it counts like any path. An orchestrator's probes are never
        // refused, whatever the client address has used up.
        using var report = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.TooManyRequests, report.StatusCode);
        using var live = await client.GetAsync("/health/live");
        using var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}

/// <summary>A gateway that lets each client ask for <see cref="TokenPermitLimit"/> tokens a minute, and make many other requests.</summary>
public sealed class TokenRateLimitedGateway : GatewayUnderTest
{
    public const int TokenPermitLimit = 3;

    protected override void Configure(Dictionary<string, string?> gateway)
    {
        gateway["RateLimits:Token:PermitLimit"] = TokenPermitLimit.ToString(CultureInfo.InvariantCulture);
        gateway["RateLimits:Token:Window"] = "00:01:00";
    }
}

public sealed class TokenRateLimitTests(TokenRateLimitedGateway gateway) : IClassFixture<TokenRateLimitedGateway>
{
    [Fact]
    public async Task The_token_endpoint_refuses_a_client_sooner_than_the_rest_of_the_api()
    {
        using var client = gateway.Client();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < TokenRateLimitedGateway.TokenPermitLimit; i++)
        {
            using var allowed = await client.PostAsync("/api/auth/token", LogIn());
            statuses.Add(allowed.StatusCode);
        }

        using var refused = await client.PostAsync("/api/auth/token", LogIn());
        using var elsewhere = await client.GetAsync("/api/items");

        // Let through (to a users service that is not running yet), then refused at the gateway.
        Assert.All(statuses, status => Assert.True(status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable, $"answered {(int)status}"));
        await Answers.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    private static FormUrlEncodedContent LogIn() => new(new Dictionary<string, string>
    {
        ["grant_type"] = "password",
        ["username"] = "alice",
        ["password"] = "guessing-again",
    });
}
