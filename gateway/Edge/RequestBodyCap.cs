using Microsoft.AspNetCore.Http.Features;
using Store.ServiceDefaults;

namespace Store.Gateway.Edge;

/// <summary>
/// The largest request body the gateway takes, <c>RequestLimits:MaxBodyBytes</c> (1 MiB unless
/// set), is Kestrel's limit. A request that declares a longer body is refused with 413 here, before
/// any of it is read or sent on; a body without a declared length is cut off by Kestrel while it
/// streams, and the proxy answers 413 then (<see cref="Proxy.ProxyErrors"/>).
/// </summary>
public sealed class RequestBodyCap(RequestDelegate next, IProblemDetailsService problems)
{
    public const string Setting = "RequestLimits:MaxBodyBytes";
    private const long DefaultMaxBodyBytes = 1024 * 1024;

    public static void SetLimit(WebApplicationBuilder builder)
    {
        var maxBodyBytes = builder.Configuration.GetValue(Setting, DefaultMaxBodyBytes);
        if (maxBodyBytes <= 0)
            throw new InvalidOperationException($"{Setting} must be a positive number of bytes.");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBodyBytes);
    }

    public Task InvokeAsync(HttpContext context)
    {
        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (limit is null || context.Request.ContentLength is not { } length || length <= limit)
            return next(context);

        return problems.WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge,
            $"The request body is {length} bytes long; at most {limit} bytes are accepted.").AsTask();
    }
}
