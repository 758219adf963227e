using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Store.ServiceDefaults;

/// <summary>
/// A body whose Content-Type names a charset .NET cannot decode (<c>application/json;
/// charset=windows-1252</c>) is 415 problem: the framework's JSON reader would fail on it with a 500
/// while looking the encoding up. Charsets it can decode (UTF-8, UTF-16, Latin-1, ASCII) are read as
/// usual. Runs after authorization, so 401 and 403 still come first.
/// </summary>
public sealed class UnsupportedCharsetRejection(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (UnsupportedCharset(context.Request) is { } charset)
        {
            await problems.WriteProblemAsync(context, StatusCodes.Status415UnsupportedMediaType,
                $"The charset \"{charset}\" of the request body is not supported: send it as UTF-8 (Content-Type: application/json; charset=utf-8).");
            return;
        }
        await next(context);
    }

    private static string? UnsupportedCharset(HttpRequest request)
    {
        if (request.ContentType is not { } contentType
            || !MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.Charset.HasValue)
            return null;
        var charset = mediaType.Charset.Value.Trim('"');
        try
        {
            _ = Encoding.GetEncoding(charset);
            return null;
        }
        catch (ArgumentException)
        {
            return charset;
        }
    }
}
