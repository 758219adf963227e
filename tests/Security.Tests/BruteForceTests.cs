using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Store.Testing;

namespace Store.Security.Tests;

/// <summary>The suite with the gateway's token rate limit as shipped (gateway/appsettings.json), not raised as in <see cref="Suite"/>.</summary>
public sealed class ShippedTokenLimitSuite : Suite
{
    protected override void Configure(string process, Dictionary<string, string?> settings)
    {
        if (process == "gateway")
            settings.Remove("RateLimits:Token:PermitLimit");
    }

    /// <summary>RateLimits:Token:PermitLimit as gateway/appsettings.json sets it.</summary>
    public static int ShippedPermitLimit()
    {
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot(), "gateway", "appsettings.json")))!;
        return settings["RateLimits"]!["Token"]!["PermitLimit"]!.GetValue<int>();
    }
}

/// <summary>
/// Guessing passwords at POST /api/auth/token through the gateway: the guesses up to the limit get
/// the users service's answer (400 invalid_grant), the next is 429 problem with Retry-After, and so
/// is a right password after it, until the window passes.
/// </summary>
public sealed class BruteForceTests(ShippedTokenLimitSuite suite) : IClassFixture<ShippedTokenLimitSuite>
{
    [Fact]
    public async Task Wrong_passwords_get_429_problem_from_the_guess_after_the_configured_limit()
    {
        var limit = ShippedTokenLimitSuite.ShippedPermitLimit();
        var scanner = new ResponseScanner();
        scanner.Secret(Suite.AdminPassword);
        using var client = scanner.Client(suite.Gateway.Address);
        int? firstRefused = null;
        for (var guess = 1; guess <= limit + 3; guess++)
        {
            using var response = await client.PostAsync("/api/auth/token", new FormUrlEncodedContent(
                [new("username", Suite.AdminUsername), new("password", scanner.Secret($"wrong-guess-{guess}-of-a-password"))]));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                firstRefused ??= guess;
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(429, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After in seconds");
            }
            else
            {
                Assert.Null(firstRefused); // once refused, refused for the rest of the window
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                Assert.Equal("invalid_grant", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
            }
        }
        Assert.Equal(limit + 1, firstRefused);

        using var rightPassword = await client.PostAsync("/api/auth/token", new FormUrlEncodedContent(
            [new("username", Suite.AdminUsername), new("password", Suite.AdminPassword)]));
        Assert.Equal(HttpStatusCode.TooManyRequests, rightPassword.StatusCode);
        TestReport.Add($"security: brute force refused from guess {firstRefused} (limit {limit}), {scanner.Scanned} responses scanned");
    }
}
