using System.Security.Claims;
using System.Text.Json;
using Store.Gateway.Proxy;
using Store.ServiceDefaults;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Store.Gateway.Health;

/// <summary>
/// <c>GET /health</c>: the gateway answers, and asks every instance of every service (the clusters'
/// destinations) for its readiness at that moment, all at once. A service is healthy when all its
/// instances are ready, degraded when some are, unhealthy when none is; the answer is 503 when any
/// service is unhealthy. The gateway's own <c>/health/ready</c> does not depend on the services, so
/// an orchestrator never takes the gateway out because one service is down.
/// <para>
/// Anyone may ask (rate-limited like any path), and sees each service's and instance's status. The
/// instances' addresses, their own readiness reports and the errors met asking for them are for
/// admins: they describe the inside of the deployment. What went wrong is also logged.
/// </para>
/// </summary>
public static partial class UpstreamHealth
{
    private const string Healthy = "healthy";
    private const string Degraded = "degraded";
    private const string Unhealthy = "unhealthy";
    private const string ClientName = "upstream-health";
    private const string DefaultPath = "/health/ready";
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    public static WebApplicationBuilder AddUpstreamHealth(this WebApplicationBuilder builder)
    {
        // Each probe has its own deadline (below); the client's own timeout stays out of the way.
        // It connects to each instance as the proxy does (over its Unix socket where one is named).
        builder.Services.AddHttpClient(ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services =>
            {
                var sockets = services.GetRequiredService<UnixSockets>();
                return sockets.SendHttp2ToSockets(sockets.Apply(new SocketsHttpHandler()));
            });
        return builder;
    }

    public static IEndpointRouteBuilder MapUpstreamHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", ReportAsync);
        return app;
    }

    public static async Task<IResult> ReportAsync(
        IProxyStateLookup proxy, IHttpClientFactory clients, ClaimsPrincipal caller, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(ClientName);
        var clusters = proxy.GetClusters().OrderBy(cluster => cluster.ClusterId, StringComparer.Ordinal).ToList();
        var services = await Task.WhenAll(clusters.Select(cluster => CheckServiceAsync(client, cluster, cancellationToken)));

        var logger = loggers.CreateLogger(typeof(UpstreamHealth).FullName!);
        foreach (var (name, service) in services)
            foreach (var instance in service.Instances.Where(i => i.Error is not null))
                LogUnhealthy(logger, name, instance.Address, instance.Error!);
        if (!caller.IsInRole(Roles.Admin))
            services = [.. services.Select(s => (s.Name, s.Report with { Instances = [.. s.Report.Instances.Select(i => new InstanceHealth(i.Status))] }))];

        var status = services.Any(s => s.Report.Status == Unhealthy) ? Unhealthy
            : services.Any(s => s.Report.Status == Degraded) ? Degraded
            : Healthy;
        var report = new HealthReport(status, new GatewayHealth(Healthy), services.ToDictionary(s => s.Name, s => s.Report));
        return TypedResults.Json(report, statusCode: status == Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health: an instance of {Service} at {Address} is not ready: {Error}")]
    private static partial void LogUnhealthy(ILogger logger, string service, string? address, string error);

    public sealed record HealthReport(string Status, GatewayHealth Gateway, IReadOnlyDictionary<string, ServiceHealth> Services);

    /// <summary>The gateway itself: healthy whenever it answers.</summary>
    public sealed record GatewayHealth(string Status);

    public sealed record ServiceHealth(string Status, IReadOnlyList<InstanceHealth> Instances);

    /// <summary>
    /// One instance: whether it is ready and (for admins; null for anyone else)
    /// its address and its own readiness report or the error met asking for it.
    /// </summary>
    public sealed record InstanceHealth(string Status, string? Address = null, JsonElement? Readiness = null, string? Error = null);

    private static async Task<(string Name, ServiceHealth Report)> CheckServiceAsync(
        HttpClient client, ClusterState cluster, CancellationToken cancellationToken)
    {
        var active = cluster.Model.Config.HealthCheck?.Active;
        var path = active?.Path ?? DefaultPath;
        var timeout = active?.Timeout ?? DefaultTimeout;
        var instances = await Task.WhenAll(cluster.Destinations.Values
            .OrderBy(destination => destination.DestinationId, StringComparer.Ordinal)
            .Select(destination => CheckInstanceAsync(client, destination.Model.Config.Address, path, timeout, cancellationToken)));

        var ready = instances.Count(instance => instance.Status == Healthy);
        var status = ready == instances.Length && ready > 0 ? Healthy : ready > 0 ? Degraded : Unhealthy;
        return (cluster.ClusterId, new ServiceHealth(status, instances));
    }

    private static async Task<InstanceHealth> CheckInstanceAsync(
        HttpClient client, string address, string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await client.GetAsync(new Uri(new Uri(address), path), deadline.Token);
            var readiness = await ReadJsonAsync(response, deadline.Token);
            return response.IsSuccessStatusCode
                ? new InstanceHealth(Healthy, address, readiness)
                : new InstanceHealth(Unhealthy, address, readiness, $"answered {(int)response.StatusCode}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new InstanceHealth(Unhealthy, address, Error: $"no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            return new InstanceHealth(Unhealthy, address, Error: e.Message);
        }
    }

    /// <summary>The service's own report (its database, its broker), when it sent JSON.</summary>
    private static async Task<JsonElement?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
            return null;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonSerializer.DeserializeAsync<JsonElement>(body, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
