using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Store.ServiceDefaults;

namespace Store.Gateway.Edge;

/// <summary>
/// Fixed-window limits per client address, from the <c>RateLimits</c> section (<see cref="ClientRateLimitOptions"/>): <c>PerClient</c> on
/// every request, and the stricter <c>Token</c> on the routes that name the <see cref="EdgePolicies.TokenPolicy"/>
/// (POST /api/auth/token, where passwords are guessed). Over a limit the answer is 429 with
/// <c>Retry-After</c>. The gateway's own probes (<c>/health/live</c>, <c>/health/ready</c>) are never
/// limited: an orchestrator's probe that was refused would restart a healthy gateway. <c>/health</c>,
/// which asks every service, is limited like any other path.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddClientRateLimits(this IServiceCollection services)
    {
        services.AddValidatedOptions<ClientRateLimitOptions>(ClientRateLimitOptions.Section);
        services.AddRateLimiter(options => options.RejectionStatusCode = StatusCodes.Status429TooManyRequests);
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ClientRateLimitOptions>>((options, limits) =>
        {
            var perClient = limits.Value.PerClient;
            var token = limits.Value.Token;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Request.Path.Equals(Store.ServiceDefaults.Health.LivePath, StringComparison.OrdinalIgnoreCase)
                || context.Request.Path.Equals(Store.ServiceDefaults.Health.ReadyPath, StringComparison.OrdinalIgnoreCase)
                    ? RateLimitPartition.GetNoLimiter("health")
                    : RateLimitPartition.GetFixedWindowLimiter(ClientOf(context), _ => perClient));
            options.AddPolicy(EdgePolicies.TokenPolicy, context => RateLimitPartition.GetFixedWindowLimiter(ClientOf(context), _ => token));
            options.OnRejected = WriteTooManyRequestsAsync;
        });
        return services;
    }

    /// <summary>The client's address: the connection's, or the forwarded one when forwarded headers are enabled.</summary>
    private static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static async ValueTask WriteTooManyRequestsAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var http = rejected.HttpContext;
        var detail = "Too many requests.";
        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            detail = $"Too many requests: try again in {seconds} seconds.";
        }
        await http.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteProblemAsync(http, StatusCodes.Status429TooManyRequests, detail);
    }
}
