using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Store.ServiceDefaults;

/// <summary>
/// Gives every request its correlation id: the caller's <c>X-Request-Id</c> when it is sane, else a
/// new one. It becomes <see cref="HttpContext.TraceIdentifier"/> (and so the events' correlation id),
/// goes back on the response, and is in the scope of every log line written for the request, with
/// the request's path.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public const string HeaderName = "X-Request-Id";
    /// <summary>The longest request id kept; a longer one is replaced (and so is never a correlation id).</summary>
    public const int MaxLength = 128;

    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = context.Request.Headers[HeaderName].ToString();
        if (!IsAcceptable(requestId))
            requestId = Guid.NewGuid().ToString("N");

        context.TraceIdentifier = requestId;
        context.Response.Headers[HeaderName] = requestId;
        using (logger.BeginScope(new KeyValuePair<string, object?>[] { new("RequestId", requestId), new("RequestPath", context.Request.Path.Value) }))
            await next(context);
    }

    // Echoed into headers, logs and events, so only short, printable, header-safe values are kept.
    private static bool IsAcceptable(string value) =>
        value.Length is > 0 and <= MaxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
