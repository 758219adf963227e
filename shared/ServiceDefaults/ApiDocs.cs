using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Store.ServiceDefaults;

/// <summary>
/// The OpenAPI document at <c>/swagger/v1/swagger.json</c>, Swagger UI at <c>/docs</c> and ReDoc at
/// <c>/redoc</c>. Two ways to authorize in Swagger UI: the OAuth2 password flow against the users
/// service's token endpoint, or pasting a bearer token.
/// </summary>
public static class ApiDocs
{
    public const string DocumentPath = "/swagger/v1/swagger.json";
    private const string OAuth2 = "oauth2";
    private const string Bearer = "bearer";

    public static IServiceCollection AddApiDocs(this IServiceCollection services, string title)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo { Title = title, Version = "v1" });
            options.AddSecurityDefinition(OAuth2, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "Log in with a username and password (OAuth2 password grant).",
                Flows = new OpenApiOAuthFlows
                {
                    Password = new OpenApiOAuthFlow { TokenUrl = new Uri("/api/auth/token", UriKind.Relative) },
                },
            });
            options.AddSecurityDefinition(Bearer, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token from POST /api/auth/token.",
            });
            options.OperationFilter<AuthorizationResponses>();
            // One schema id per type name is ambiguous across namespaces; the full name is not.
            options.CustomSchemaIds(type => type.FullName?.Replace('+', '.'));
        });
        return services;
    }

    /// <summary>
    /// The document is an endpoint; Swagger UI and ReDoc are middleware, so they run only on their
    /// own paths: each looks at every request's path otherwise, which an API request should not pay for.
    /// </summary>
    public static WebApplication MapApiDocs(this WebApplication app, string title)
    {
        app.MapSwagger();
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/docs"), docs => docs.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "docs";
            options.DocumentTitle = $"{title} - Swagger UI";
            options.SwaggerEndpoint(DocumentPath, title);
            options.EnablePersistAuthorization();
        }));
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/redoc"), redoc => redoc.UseReDoc(options =>
        {
            options.RoutePrefix = "redoc";
            options.DocumentTitle = $"{title} - ReDoc";
            options.SpecUrl = DocumentPath;
        }));
        return app;
    }

    /// <summary>
    /// Marks the operations that need a token with the security schemes and their 401/403 answers,
    /// so the document (and Swagger UI's padlocks) say who may call what.
    /// </summary>
    private sealed class AuthorizationResponses : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
            if (!metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any())
                return;

            operation.Responses ??= [];
            operation.Responses.TryAdd("401", new OpenApiResponse { Description = "Missing, expired or invalid token." });
            if (metadata.OfType<IAuthorizeData>().Any(data => data.Policy == Roles.Admin || data.Roles is not null))
                operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The token's role may not do this." });

            operation.Security ??= [];
            foreach (var scheme in new[] { OAuth2, Bearer })
            {
                operation.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [],
                });
            }
        }
    }
}
