using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Store.ServiceDefaults;

/// <summary>
/// Traces, metrics and logs over OTLP, switched on by <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (the
/// exporter reads the standard OTEL_* variables itself): ASP.NET Core, HttpClient and runtime
/// instrumentation, and the sources Npgsql and MassTransit emit. Without an endpoint nothing is
/// registered, so requests pay nothing for telemetry no one collects.
/// </summary>
public static class Telemetry
{
    private static readonly string[] LibrarySources = ["MassTransit", "Npgsql"];

    // The suite's own: batch sizes of the consumers (Store.Messaging.BatchMetrics).
    private static readonly string[] Meters = [.. LibrarySources, "Store.Messaging"];

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            return builder;

        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddSource(LibrarySources))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(Meters))
            .WithLogging()
            .UseOtlpExporter();
        return builder;
    }
}
