using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Store.ServiceDefaults;

/// <summary>
/// <c>/health/live</c>: the process answers and every check tagged <see cref="Live"/> passes (checks
/// of the process's own state only; no dependency is checked, so a database outage does not get the
/// service restarted). <c>/health/ready</c>: every check tagged <see cref="Ready"/> (the
/// database, the broker) passes; 503 otherwise, with each check's status in the body.
/// </summary>
public static class Health
{
    public const string Ready = "ready";

    /// <summary>A check whose failure means the process is stuck and should be restarted.</summary>
    public const string Live = "live";

    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(Live), ResponseWriter = WriteJson })
            .ExcludeFromDescription();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResponseWriter = WriteJson,
            // Degraded still takes traffic; only Unhealthy takes the instance out.
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).ExcludeFromDescription();
        return app;
    }

    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new { status = entry.Value.Status.ToString().ToLowerInvariant(), error = entry.Value.Exception?.Message }),
        });
    }
}
