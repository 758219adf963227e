using Microsoft.AspNetCore.Cors.Infrastructure;
using Store.ServiceDefaults;

namespace Store.Gateway.Edge;

/// <summary>
/// Browsers on the origins listed in <c>Cors:AllowedOrigins</c> may call the API; no other origin
/// may (an empty list allows none). The token endpoint (its route names <see cref="TokenPolicy"/>)
/// also answers the origins of <c>Cors:DocsOrigins</c>: the services' own /docs pages, whose
/// "Authorize" logs in here and whose "Try it out" then calls the service itself. Tokens travel in
/// the Authorization header, never in cookies, so credentials are not allowed. The headers a
/// client reads are exposed.
/// </summary>
public static class Cors
{
    public const string Section = "Cors";

    /// <summary>The policy of the token endpoint's route: the allowed origins and the services' /docs origins.</summary>
    public const string TokenPolicy = "token";

    public static IServiceCollection AddConfiguredCors(this IServiceCollection services, IConfiguration configuration)
    {
        var origins = configuration.GetSection($"{Section}:AllowedOrigins").Get<string[]>() ?? [];
        var docsOrigins = configuration.GetSection($"{Section}:DocsOrigins").Get<string[]>() ?? [];
        services.AddCors(options =>
        {
            options.AddDefaultPolicy(policy => Allow(policy, origins));
            options.AddPolicy(TokenPolicy, policy => Allow(policy, [.. origins, .. docsOrigins]));
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
