using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Store.Gateway.Proxy;

/// <summary>
/// YARP's clients, connecting to the instances <see cref="UnixSocketOptions"/> names over their Unix
/// domain socket and to every other one over TCP as usual. On one machine (<c>infra/up.sh</c>) that
/// takes loopback TCP off each request's way to its service and back: a tenth to a sixth of the
/// gateway's CPU per request (docs/benchmarks.md).
/// </summary>
public sealed class UnixSocketClients(ILogger<ForwarderHttpClientFactory> logger, IOptions<UnixSocketOptions> options)
    : ForwarderHttpClientFactory(logger)
{
    private readonly Dictionary<(string Host, int Port), UnixDomainSocketEndPoint> _sockets = SocketsOf(options.Value);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        if (_sockets.Count > 0)
            handler.ConnectCallback = ConnectAsync;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        EndPoint target = _sockets.TryGetValue((endpoint.Host.ToLowerInvariant(), endpoint.Port), out var path) ? path : endpoint;
        var socket = target is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }; // as SocketsHttpHandler connects by default
        try
        {
            await socket.ConnectAsync(target, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Dictionary<(string Host, int Port), UnixDomainSocketEndPoint> SocketsOf(UnixSocketOptions options) =>
        options.Destinations.Values.ToDictionary(
            destination => (destination.Address!.Host.ToLowerInvariant(), destination.Address.Port),
            destination => new UnixDomainSocketEndPoint(destination.Path));
}
