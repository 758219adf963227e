using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Store.Testing;

/// <summary>
/// A small HTTP server on a local port, for what a service under test calls out to (an OTLP
/// receiver, a JWKS endpoint), whose endpoints the caller maps.
/// </summary>
public sealed class LocalWebServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalWebServer(int port, Action<IEndpointRouteBuilder> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        map(_app);
        Address = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Its address, without a trailing slash.</summary>
    public string Address { get; }

    /// <summary>Starts it on <paramref name="port"/> (a free one when null).</summary>
    public static async Task<LocalWebServer> StartAsync(Action<IEndpointRouteBuilder> map, int? port = null)
    {
        var server = new LocalWebServer(port ?? ServiceProcess.FreePort(), map);
        await server._app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
