using Store.ServiceDefaults;
using Yarp.ReverseProxy.Forwarder;

namespace Store.Gateway.Proxy;

/// <summary>
/// Turns a request YARP could not forward into a problem that names the service: 503 when no
/// instance of it passes its health check, 504 when it did not answer within the cluster's
/// <c>HttpRequest:ActivityTimeout</c>, 502 when it could not be reached, 413 when the body grew past
/// the cap while streaming. YARP has set the status already; this adds the body.
/// </summary>
public sealed class ProxyErrors(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);

        var failure = context.GetForwarderErrorFeature();
        if (failure is null || failure.Error == ForwarderError.None || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
            return;

        var service = context.GetReverseProxyFeature().Cluster.Config.ClusterId;
        var status = context.Response.StatusCode;
        var detail = (failure.Error, status) switch
        {
            (ForwarderError.NoAvailableDestinations, _) => $"The {service} service is unavailable: no instance of it passes its health check.",
            (ForwarderError.RequestTimedOut, _) => $"The {service} service did not answer in time.",
            (_, StatusCodes.Status413PayloadTooLarge) => "The request body is larger than the gateway accepts.",
            (ForwarderError.RequestBodyClient, _) => "The request body could not be read.",
            _ => $"The {service} service could not be reached.",
        };
        await problems.WriteProblemAsync(context, status, detail);
    }
}
