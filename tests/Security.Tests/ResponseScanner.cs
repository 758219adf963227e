using System.Collections.Concurrent;
using System.Net.Http.Headers;

namespace Store.Security.Tests;

/// <summary>
/// Sees every response a test of this project receives (<see cref="Handler"/> wraps each client)
/// and fails the request at once when one gives something away: a 5xx, a password hash (the
/// framework's PasswordHasher v3 hashes are base64 starting "AQAAAA"), a stack trace or exception
/// text, or one of the passwords the tests sent. It also holds every answer to the contract's
/// shape for errors: a problem has a <c>detail</c> a person can act on, and no answer names the
/// server software (<c>Server</c>).
/// </summary>
public sealed class ResponseScanner
{
    private static readonly string[] Leaks = ["AQAAAA", "   at ", "Exception:", "Npgsql"];
    private readonly ConcurrentDictionary<string, byte> _passwords = new(StringComparer.Ordinal);
    private int _scanned;

    public int Scanned => Volatile.Read(ref _scanned);

    /// <summary>A password the tests send; no response may contain it.</summary>
    public string Secret(string password)
    {
        _passwords[password] = 0;
        return password;
    }

    public HttpClient Client(Uri address, string? token = null)
    {
        var client = new HttpClient(new Handler(this) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = true } })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private void Scan(HttpRequestMessage request, HttpResponseMessage response, string body)
    {
        Interlocked.Increment(ref _scanned);
        var what = $"{request.Method} {request.RequestUri?.PathAndQuery} answered {(int)response.StatusCode}";
        var excerpt = body.Length > 600 ? body[..600] : body;
        if ((int)response.StatusCode >= 500)
            throw new Xunit.Sdk.XunitException($"{what}, a server error: {excerpt}");
        if (response.Headers.Contains("Server"))
            throw new Xunit.Sdk.XunitException($"{what} with a Server header: {string.Join(", ", response.Headers.GetValues("Server"))}");
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json" && !HasDetail(body))
            throw new Xunit.Sdk.XunitException($"{what}, a problem without a detail: {excerpt}");
        var headers = response.Headers.ToString() + response.Content.Headers;
        foreach (var leak in Leaks)
        {
            if (body.Contains(leak, StringComparison.Ordinal) || headers.Contains(leak, StringComparison.Ordinal))
                throw new Xunit.Sdk.XunitException($"{what} with '{leak}' in it: {excerpt}");
        }
        foreach (var password in _passwords.Keys)
        {
            if (body.Contains(password, StringComparison.Ordinal))
                throw new Xunit.Sdk.XunitException($"{what} with a password in it: {excerpt}");
        }
    }

    private static bool HasDetail(string body)
    {
        try
        {
            using var problem = System.Text.Json.JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("detail", out var detail)
                && detail.ValueKind == System.Text.Json.JsonValueKind.String
                && !string.IsNullOrWhiteSpace(detail.GetString());
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private sealed class Handler(ResponseScanner scanner) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            // Buffered, so the test reads the same body after the scan.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            scanner.Scan(request, response, await response.Content.ReadAsStringAsync(cancellationToken));
            return response;
        }
    }
}
