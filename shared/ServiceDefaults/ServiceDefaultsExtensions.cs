using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Store.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// JSON in snake_case, problem details, request ids, JSON console logs, telemetry,
    /// health checks, API docs and JWT bearer validation: everything a service of the suite needs
    /// before it says what it is.
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        builder.AddHostDefaults();
        builder.Services.AddApiDocs(builder.Environment.ApplicationName);
        // A Unix socket in ASPNETCORE_URLS is the gateway's way in on one machine (infra/up.sh), and
        // it speaks HTTP/2 only (prior knowledge, no TLS): the gateway's concurrent requests share one
        // connection and their frames share reads and writes (docs/benchmarks.md). Ports keep HTTP/1.1.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(endpoint =>
        {
            if (endpoint.SocketPath is not null)
                endpoint.Protocols = HttpProtocols.Http2;
        }));
        return builder;
    }

    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// <see cref="AddServiceDefaults"/> without an API document of the host's own: for a host that
    /// serves other services' APIs rather than one of its own (the gateway).
    /// </summary>
    public static WebApplicationBuilder AddHostDefaults(this WebApplicationBuilder builder)
    {
        // No "Server: Kestrel" on every answer: it tells a stranger what to look up, and no client needs it.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(options =>
        {
            options.IncludeScopes = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        // ASP.NET Core starts an Activity and a log scope for every request while this category logs
        // at any level, to write "Request starting/finished" (Information, which nobody here reads).
        // Off unless configured: about 7 µs of the gateway's CPU per request (docs/benchmarks.md).
        // With OTEL_EXPORTER_OTLP_ENDPOINT set, requests are traced all the same (the tracer listens).
        // RequestIdMiddleware puts the request id and path in every log line's scope instead.
        if (builder.Configuration[$"Logging:LogLevel:{HostingDiagnostics}"] is null)
            builder.Logging.AddFilter(HostingDiagnostics, LogLevel.None);

        builder.Services.Configure<JsonOptions>(options => ConfigureJson(options.SerializerOptions));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddStoreProblemDetails();
        builder.Services.AddHealthChecks();
        builder.AddTelemetry();
        builder.AddJwtAuthentication();
        return builder;
    }

    /// <summary>
    /// The middleware every service runs before its endpoints: request ids, problems for errors and
    /// bare status codes, authentication and authorization, and the refusals of bad text (NUL, an
    /// undecodable charset), which come after authorization so that 401 and 403 win.
    /// </summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<NulCharacterRejection.Middleware>();
        app.UseMiddleware<UnsupportedCharsetRejection>();
        return app;
    }

    /// <summary>The endpoints every service has: /health/live, /health/ready, /docs, /redoc, /swagger.</summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapApiDocs(app.Environment.ApplicationName);
        return app;
    }

    /// <summary>The suite's wire format (docs/contract.md): snake_case names, enums as strings, no nulls dropped.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        // Ids and money are numbers; "12" for a number is a client error, not something to guess at.
        options.NumberHandling = JsonNumberHandling.Strict;
        options.MaxDepth = 32;
        // PostgreSQL takes no NUL in text: refused while reading, not as a 500 from the database.
        options.Converters.Add(new NulCharacterRejection.JsonStrings());
    }
}
