using System.Diagnostics;
using System.Reflection;
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

    /// <summary>When this process started, for the uptime every report carries.</summary>
    private static readonly DateTimeOffset StartedAt = new(Process.GetCurrentProcess().StartTime.ToUniversalTime());

    /// <summary>The build's version (the assembly's informational version, with its commit when the build knew it).</summary>
    private static readonly string? Version = Assembly.GetEntryAssembly()?
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>
    /// The status, which build answers and for how long it has run (what an operator asks first), and
    /// each check with why it is not healthy: its description and its error.
    /// </summary>
    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var now = DateTimeOffset.UtcNow;
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            version = Version,
            started_at = StartedAt,
            uptime_seconds = Math.Round((now - StartedAt).TotalSeconds, 1),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new
                {
                    status = entry.Value.Status.ToString().ToLowerInvariant(),
                    description = entry.Value.Description,
                    error = entry.Value.Exception?.Message,
                }),
        });
    }
}
