using Store.Gateway.Docs;
using Store.ServiceDefaults;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Store.Gateway.Proxy;

/// <summary>
/// YARP with the routes and clusters of the <c>ReverseProxy</c> section: each route names its
/// service (cluster), its authorization policy (<c>anonymous</c> or <c>default</c>, a valid token)
/// and optionally its rate-limit policy; each cluster its instances, their active health check and
/// their timeout. YARP's default transforms set <c>X-Forwarded-For/Proto/Host/Prefix</c>. The
/// instances the <c>UnixSockets</c> section names are reached over their Unix socket (<see cref="UnixSockets"/>).
/// </summary>
public static class ProxySetup
{
    public static WebApplicationBuilder AddProxy(this WebApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddTransforms(ForwardRequestId)
            .AddTransforms(ServiceDocs.PointServersAtGateway);
        builder.Services.AddValidatedOptions<UnixSocketOptions>(UnixSocketOptions.Section);
        builder.Services.AddSingleton<UnixSockets>();
        builder.Services.AddSingleton<IForwarderHttpClientFactory, UnixSocketClients>();
        return builder;
    }

    public static WebApplication MapProxy(this WebApplication app)
    {
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<ProxyErrors>();
            // YARP's default pipeline.
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }

    /// <summary>
    /// The service receives the gateway's request id (the caller's, or the one generated when the
    /// caller sent none or an unsafe one), so both log, and the service's events carry, the same id.
    /// </summary>
    private static void ForwardRequestId(TransformBuilderContext context)
    {
        context.AddRequestTransform(transform =>
        {
            var headers = transform.ProxyRequest.Headers;
            headers.Remove(RequestIdMiddleware.HeaderName);
            headers.TryAddWithoutValidation(RequestIdMiddleware.HeaderName, transform.HttpContext.TraceIdentifier);
            return ValueTask.CompletedTask;
        });
        // The service echoes the id, and YARP appends its headers to the gateway's own: one value, not two.
        context.AddResponseTransform(transform =>
        {
            transform.HttpContext.Response.Headers[RequestIdMiddleware.HeaderName] = transform.HttpContext.TraceIdentifier;
            return ValueTask.CompletedTask;
        });
    }
}
