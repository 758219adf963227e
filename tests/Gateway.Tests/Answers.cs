using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Sdk;

namespace Store.Gateway.Tests;

/// <summary>Assertions on the gateway's answers, and polling for one that is still to come.</summary>
internal static class Answers
{
    /// <summary>Asserts an RFC 9457 problem with <paramref name="status"/> that carries the request's ids, and returns it.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), "a problem without a detail");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("trace_id").GetString()));
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), problem.GetProperty("request_id").GetString());
        return problem;
    }

    /// <summary>
    /// Sends a request (made anew each time) until its answer has <paramref name="status"/>, and
    /// returns that answer; fails naming every status seen once <paramref name="within"/> has passed.
    /// </summary>
    public static async Task<HttpResponseMessage> PollUntilAsync(
        HttpClient client, Func<HttpRequestMessage> request, HttpStatusCode status, TimeSpan within)
    {
        var seen = new List<int>();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var message = request();
            var response = await client.SendAsync(message);
            if (response.StatusCode == status)
                return response;
            seen.Add((int)response.StatusCode);
            response.Dispose();
            if (clock.Elapsed > within)
                throw new XunitException($"no {(int)status} within {within.TotalSeconds} s; answers seen: {string.Join(", ", seen.Distinct())}");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    public static Task<HttpResponseMessage> PollUntilAsync(HttpClient client, string path, HttpStatusCode status, TimeSpan within) =>
        PollUntilAsync(client, () => new HttpRequestMessage(HttpMethod.Get, path), status, within);

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();
}
