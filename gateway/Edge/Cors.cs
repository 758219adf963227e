using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using Store.ServiceDefaults;

namespace Store.Gateway.Edge;

/// <summary>
/// Browsers on the origins listed in <c>Cors:AllowedOrigins</c> may call the API; no other origin
/// may (an empty list allows none). The token endpoint (its route names <see cref="EdgePolicies.TokenPolicy"/>)
/// also answers the origins of <c>Cors:DocsOrigins</c>: the services' own /docs pages, whose
/// "Authorize" logs in here and whose "Try it out" then calls the service itself. Tokens travel in
/// the Authorization header, never in cookies, so credentials are not allowed. The headers a
/// client reads are exposed.
/// </summary>
public static class Cors
{
    public static IServiceCollection AddConfiguredCors(this IServiceCollection services)
    {
        services.AddValidatedOptions<CorsOriginOptions>(CorsOriginOptions.Section);
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<CorsOriginOptions>>((options, origins) =>
        {
            var allowed = origins.Value.AllowedOrigins;
            options.AddDefaultPolicy(policy => Allow(policy, allowed));
            options.AddPolicy(EdgePolicies.TokenPolicy, policy => Allow(policy, [.. allowed, .. origins.Value.DocsOrigins]));
        });
        return services;
    }

    private static void Allow(CorsPolicyBuilder policy, string[] origins) => policy
        .WithOrigins(origins)
        .AllowAnyMethod()
        .AllowAnyHeader()
        .WithExposedHeaders(RequestIdMiddleware.HeaderName, "X-Total-Count", "Location", "Retry-After")
        .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
}
