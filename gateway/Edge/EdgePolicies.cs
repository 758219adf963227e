using Microsoft.AspNetCore.ResponseCompression;
using Store.ServiceDefaults;

namespace Store.Gateway.Edge;

/// <summary>
/// What the gateway does to every request before it is routed: the suite's request id and problem
/// details, then compression, the body cap, CORS, per-client rate limits and token validation.
/// </summary>
public static class EdgePolicies
{
    /// <summary>
    /// The CORS and rate-limit policy the token endpoint's route names (appsettings.json,
    /// ReverseProxy:Routes): the stricter <c>RateLimits:Token</c> window, and the services' /docs
    /// origins besides the allowed ones.
    /// </summary>
    public const string TokenPolicy = "token";

    public static WebApplicationBuilder AddEdgePolicies(this WebApplicationBuilder builder)
    {
        RequestBodyCap.SetLimit(builder.Services);
        builder.Services.AddClientRateLimits();
        builder.Services.AddConfiguredCors();
        builder.Services.AddResponseCompression(options =>
            options.MimeTypes = ResponseCompressionDefaults.MimeTypes.Append("application/problem+json"));
        return builder;
    }

    /// <summary>
    /// The order matters: the request id comes first so every answer carries it (a 429 and a 413
    /// too); CORS comes before authorization so a preflight, which never carries a token, is
    /// answered; rate limits come before token validation, the costlier step.
    /// </summary>
    public static WebApplication UseEdgePolicies(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseResponseCompression();
        app.UseExceptionHandler();
        // Empty error answers (an unknown route's 404, a missing token's 401) become problem details.
        app.UseStatusCodePages();
        app.UseMiddleware<RequestBodyCap>();
        app.UseCors();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
