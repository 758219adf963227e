using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Store.Testing;

namespace Store.Gateway.Tests;

/// <summary>What the gateway does to every request at the edge: the body cap, CORS, compression.</summary>
public sealed class EdgePolicyTests(GatewayUnderTest gateway) : IClassFixture<GatewayUnderTest>
{
    /// <summary>A valid item whose unknown <c>padding</c> field (ignored by the service) makes the body <paramref name="bytes"/> long.</summary>
    private static string ItemOfSize(int bytes)
    {
        var head = $$"""{"name": "Padded {{Guid.NewGuid():N}}", "price": 1, "padding": " """;
        const string tail = "\"}";
        return head + new string('x', bytes - head.Length - tail.Length) + tail;
    }

    [Fact]
    public async Task A_declared_body_over_the_cap_is_413_problem_before_it_is_sent_on()
    {
        using var admin = gateway.Client(TestTokens.Admin());
        using var content = new StringContent(ItemOfSize(GatewayUnderTest.MaxBodyBytes + 1), Encoding.ASCII, "application/json");

        using var response = await admin.PostAsync("/api/items", content);

        var problem = await Answers.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains($"at most {GatewayUnderTest.MaxBodyBytes} bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_streamed_body_that_grows_over_the_cap_is_413_problem()
    {
        using var admin = gateway.Client(TestTokens.Admin());
        // No Content-Length: the body is sent chunked and the cap is only met while it streams.
        using var content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(ItemOfSize(GatewayUnderTest.MaxBodyBytes * 2))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/items") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await admin.SendAsync(request);

        await Answers.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_body_at_the_cap_is_forwarded()
    {
        using var admin = gateway.Client(TestTokens.Admin());
        using var content = new StringContent(ItemOfSize(GatewayUnderTest.MaxBodyBytes), Encoding.ASCII, "application/json");

        using var response = await admin.PostAsync("/api/items", content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/orders", "POST")]
    [InlineData("/api/items/1", "PATCH")]
    [InlineData("/api/users/me", "GET")]
    public async Task A_preflight_from_an_allowed_origin_is_granted_without_a_token(string path, string method)
    {
        using var client = gateway.Client();
        using var preflight = Preflight(path, method, GatewayUnderTest.AllowedOrigin);

        using var response = await client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(GatewayUnderTest.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains(method, response.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        var allowedHeaders = response.Headers.GetValues("Access-Control-Allow-Headers").Single();
        Assert.Contains("authorization", allowedHeaders, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("content-type", allowedHeaders, StringComparison.OrdinalIgnoreCase);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task A_preflight_from_another_origin_is_not_granted()
    {
        using var client = gateway.Client();
        using var preflight = Preflight("/api/orders", "POST", "https://elsewhere.example");

        using var response = await client.SendAsync(preflight);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Methods"));
    }

    [Fact]
    public async Task A_cross_origin_answer_lets_the_page_read_the_request_id_and_total_count()
    {
        using var client = gateway.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/items");
        request.Headers.Add("Origin", GatewayUnderTest.AllowedOrigin);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(GatewayUnderTest.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var exposed = response.Headers.GetValues("Access-Control-Expose-Headers").Single();
        Assert.Contains("X-Request-Id", exposed, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("X-Total-Count", exposed, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task A_response_is_compressed_when_the_client_accepts_it(string encoding)
    {
        var name = $"Compressed {Guid.NewGuid():N}";
        await gateway.CreateItemAsync(name);
        using var client = gateway.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/items?search={Uri.EscapeDataString(name)}");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(encoding, response.Content.Headers.ContentEncoding.Single());
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        await using var compressed = await response.Content.ReadAsStreamAsync();
        await using Stream body = encoding == "gzip"
            ? new GZipStream(compressed, CompressionMode.Decompress)
            : new BrotliStream(compressed, CompressionMode.Decompress);
        var items = await JsonSerializer.DeserializeAsync<JsonElement>(body);
        Assert.Equal(name, items.EnumerateArray().Single().GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_response_is_not_compressed_when_the_client_does_not_ask()
    {
        using var client = gateway.Client();

        using var response = await client.GetAsync("/api/items");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal(JsonValueKind.Array, (await response.Content.ReadFromJsonAsync<JsonElement>()).ValueKind);
    }

    private static HttpRequestMessage Preflight(string path, string method, string origin)
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", method);
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return preflight;
    }
}
