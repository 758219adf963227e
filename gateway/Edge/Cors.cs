using Store.ServiceDefaults;

namespace Store.Gateway.Edge;

/// <summary>
/// Browsers on the origins listed in <c>Cors:AllowedOrigins</c> may call the API; no other origin
/// may (an empty list allows none). Tokens travel in the Authorization header, never in cookies, so
/// credentials are not allowed. The headers a client reads are exposed.
/// </summary>
public static class Cors
{
    public const string Section = "Cors";

    public static IServiceCollection AddConfiguredCors(this IServiceCollection services, IConfiguration configuration)
    {
        var origins = configuration.GetSection($"{Section}:AllowedOrigins").Get<string[]>() ?? [];
        services.AddCors(options => options.AddDefaultPolicy(policy => policy
            .WithOrigins(origins)
            .AllowAnyMethod()
            .AllowAnyHeader()
            .WithExposedHeaders(RequestIdMiddleware.HeaderName, "X-Total-Count", "Location", "Retry-After")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return services;
    }
}
