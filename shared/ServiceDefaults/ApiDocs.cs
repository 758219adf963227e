using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Store.ServiceDefaults;

/// <summary>
/// The OpenAPI document at <c>/swagger/v1/swagger.json</c>, Swagger UI at <c>/docs</c> and ReDoc at
/// <c>/redoc</c>. Two ways to authorize in Swagger UI: the OAuth2 password flow against the users
/// service's token endpoint (<see cref="DocsOptions.TokenUrl"/>), or pasting a bearer token.
/// </summary>
public static class ApiDocs
{
    public const string DocumentPath = "/swagger/v1/swagger.json";
    private const string OAuth2 = "oauth2";
    private const string Bearer = "bearer";

    public static IServiceCollection AddApiDocs(this IServiceCollection services, string title)
    {
        services.AddValidatedOptions<DocsOptions>(DocsOptions.Section)
            .Validate(docs => docs.HasAbsoluteTokenUrl, $"{DocsOptions.Section}:{nameof(DocsOptions.TokenUrl)} must be an absolute http(s) URL.");
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen();
        services.AddOptions<SwaggerGenOptions>().Configure<IOptions<DocsOptions>>((options, docs) =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo { Title = title, Version = "v1" });
            options.AddSecurityDefinition(OAuth2, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "Log in with a username and password (OAuth2 password grant).",
                Flows = new OpenApiOAuthFlows
                {
                    Password = new OpenApiOAuthFlow { TokenUrl = new Uri(docs.Value.TokenUrl, UriKind.Absolute) },
                },
            });
            options.AddSecurityDefinition(Bearer, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token from POST /api/auth/token.",
            });
            // A string the code declares non-nullable is not "nullable: true" in the document.
            options.SupportNonNullableReferenceTypes();
            options.AddServer(new OpenApiServer { Url = docs.Value.ServerUrl, Description = "This service" });
            options.OperationFilter<AuthorizationResponses>();
            options.OperationFilter<ParameterConstraints>();
            options.SchemaFilter<ValidationConstraints>();
            options.SchemaFilter<RequestExamples>();
            options.SchemaFilter<ResponseRequiredProperties>();
            options.DocumentFilter<TagDescriptions>();
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
            {
                // Said, not left out: a client generator or linter reads no requirement as "unknown".
                operation.Security = [];
                return;
            }

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

    /// <summary>Names a group's or an endpoint's tag and says what it holds, for the document's list of tags.</summary>
    public static TBuilder WithTag<TBuilder>(this TBuilder builder, string name, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithTags(name).WithMetadata(new ApiTag(name, description));

    /// <summary>A tag's description, as endpoint metadata (<see cref="WithTag"/>).</summary>
    private sealed record ApiTag(string Name, string Description);

    /// <summary>Every tag the operations use, with its description, in the order the operations name them.</summary>
    private sealed class TagDescriptions : IDocumentFilter
    {
        public void Apply(OpenApiDocument document, DocumentFilterContext context)
        {
            var tags = context.ApiDescriptions
                .SelectMany(api => api.ActionDescriptor.EndpointMetadata.OfType<ApiTag>())
                .DistinctBy(tag => tag.Name)
                .Select(tag => new OpenApiTag { Name = tag.Name, Description = tag.Description });
            document.Tags = new HashSet<OpenApiTag>(tags.Concat(document.Tags ?? Enumerable.Empty<OpenApiTag>()).DistinctBy(tag => tag.Name));
        }
    }

    /// <summary>Says in the document what a header parameter must look like, as its handler checks it.</summary>
    public static TBuilder WithHeaderRules<TBuilder>(this TBuilder builder, string header, int minLength, int maxLength, string pattern)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new HeaderRules(header, minLength, maxLength, pattern));

    /// <summary>A header's rules, as endpoint metadata (<see cref="WithHeaderRules"/>).</summary>
    private sealed record HeaderRules(string Header, int MinLength, int MaxLength, string Pattern);

    /// <summary>
    /// Path ids are positive (<c>minimum: 1</c> on every integer path parameter); a header with rules
    /// (<see cref="WithHeaderRules"/>) has them in its schema.
    /// </summary>
    private sealed class ParameterConstraints : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var headerRules = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<HeaderRules>().ToList();
            foreach (var parameter in operation.Parameters ?? [])
            {
                if (parameter is { In: ParameterLocation.Path, Schema: OpenApiSchema { Type: JsonSchemaType.Integer } id })
                    id.Minimum = "1";
                if (parameter is { In: ParameterLocation.Header, Schema: OpenApiSchema header }
                    && headerRules.Find(rules => string.Equals(rules.Header, parameter.Name, StringComparison.OrdinalIgnoreCase)) is { } rule)
                {
                    header.MinLength = rule.MinLength;
                    header.MaxLength = rule.MaxLength;
                    header.Pattern = rule.Pattern;
                }
            }
        }
    }

    /// <summary>
    /// What the suite's own validation attributes enforce, said in the schema as well, so that data a
    /// client makes from the document passes: decimal places as <c>multipleOf</c>, blank and
    /// one-line strings as a <c>pattern</c>, the length of each entry of a list on its items.
    /// </summary>
    private sealed class ValidationConstraints : ISchemaFilter
    {
        // Any character but C0 and C1 controls (what char.IsControl refuses), with at least one that is not white space.
        private const string SingleLine = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";
        private const string NotBlankSingleLine = "^(?=.*\\S)[^\\u0000-\\u001F\\u007F-\\u009F]*$";
        private const string NotBlank = "\\S";

        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema target || context.MemberInfo is not { } member)
                return;
            var attributes = member.GetCustomAttributes(inherit: true);
            foreach (var places in attributes.OfType<DecimalPlacesAttribute>())
                target.MultipleOf = 1m / (decimal)Math.Pow(10, places.Places);
            var notBlank = attributes.OfType<NotBlankAttribute>().Any();
            var singleLine = attributes.OfType<SingleLineAttribute>().Any();
            if (notBlank || singleLine)
                target.Pattern = (notBlank, singleLine) switch { (true, true) => NotBlankSingleLine, (true, false) => NotBlank, _ => SingleLine };
            foreach (var each in attributes.OfType<EachLengthAttribute>())
            {
                if (target.Items is OpenApiSchema items)
                {
                    items.MinLength = each.MinLength;
                    items.MaxLength = each.MaxLength;
                }
            }
        }
    }

    /// <summary>The example of a request body that has one (<see cref="IHasExample"/>), written as the API reads JSON.</summary>
    private sealed class RequestExamples(IOptions<JsonOptions> json) : ISchemaFilter
    {
        private readonly JsonSerializerOptions _options = new(json.Value.SerializerOptions) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is OpenApiSchema target && context.MemberInfo is null && typeof(IHasExample).IsAssignableFrom(context.Type)
                && context.Type.GetProperty(nameof(IHasExample.Example), BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is { } example)
            {
                target.Example = JsonSerializer.SerializeToNode(example, context.Type, _options);
            }
        }
    }

    /// <summary>
    /// What the suite answers always has its non-nullable properties, so their schemas list them as
    /// <c>required</c>: a client generated from the document then types them as present (an int,
    /// not an int that may be missing). Request bodies (<see cref="IHasExample"/>) say what they
    /// require through their validation attributes instead; the framework's problem types are left as they are.
    /// </summary>
    private sealed class ResponseRequiredProperties(IOptions<JsonOptions> json) : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema { Properties: { Count: > 0 } properties } target || context.MemberInfo is not null
                || typeof(IHasExample).IsAssignableFrom(context.Type) || context.Type.Namespace?.StartsWith("Store.", StringComparison.Ordinal) != true)
                return;
            var naming = json.Value.SerializerOptions.PropertyNamingPolicy;
            var nullability = new NullabilityInfoContext();
            foreach (var property in context.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? naming?.ConvertName(property.Name) ?? property.Name;
                var present = property.PropertyType.IsValueType
                    ? Nullable.GetUnderlyingType(property.PropertyType) is null
                    : nullability.Create(property).ReadState == NullabilityState.NotNull;
                if (present && properties.ContainsKey(name))
                {
                    target.Required ??= new HashSet<string>();
                    target.Required.Add(name);
                }
            }
        }
    }
}
