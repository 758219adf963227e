using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Store.Gateway.Proxy;

/// <summary>
/// How the gateway connects to a service instance: over the Unix domain socket
/// <see cref="UnixSocketOptions"/> names for the instance's address, else over TCP as usual. YARP's
/// clients (<see cref="UnixSocketClients"/>) and the gateway's <c>/health</c> probes connect alike.
/// On one machine (<c>infra/up.sh</c>) that takes loopback TCP off each request's way to its
/// service and back: a tenth to a sixth of the gateway's CPU per request (docs/benchmarks.md).
/// </summary>
public sealed class UnixSockets(IOptions<UnixSocketOptions> options)
{
    private readonly Dictionary<(string Host, int Port), UnixDomainSocketEndPoint> _sockets =
        options.Value.Destinations.Values.ToDictionary(
            destination => UnixSocketOptions.KeyOf(destination.Address!),
            destination => new UnixDomainSocketEndPoint(destination.Path));

    /// <summary>Has <paramref name="handler"/> connect through <see cref="ConnectAsync"/> when any socket is named; leaves it as it is otherwise.</summary>
    public SocketsHttpHandler Apply(SocketsHttpHandler handler)
    {
        if (_sockets.Count > 0)
            handler.ConnectCallback = ConnectAsync;
        return handler;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        EndPoint target = _sockets.TryGetValue(UnixSocketOptions.KeyOf(endpoint.Host, endpoint.Port), out var path) ? path : endpoint;
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
}
