using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
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
    public static void SetLimit(IServiceCollection services)
    {
        services.AddValidatedOptions<RequestLimitOptions>(RequestLimitOptions.Section);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestLimitOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxBodyBytes);
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
