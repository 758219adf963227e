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
/// A service's socket speaks HTTP/2 only (<c>AddServiceDefaults</c>), so what goes to a socket goes as
/// HTTP/2: the concurrent requests to an instance share one connection, and their frames share reads
/// and writes at both ends.
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

    /// <summary>
    /// <paramref name="inner"/> (a handler <see cref="Apply"/> was given), sending each request for an
    /// instance with a socket as HTTP/2, whatever version it was made with; itself when no socket is named.
    /// </summary>
    public HttpMessageHandler SendHttp2ToSockets(HttpMessageHandler inner) =>
        _sockets.Count > 0 ? new Http2ToSockets(this) { InnerHandler = inner } : inner;

    private bool HasSocket(Uri address) => _sockets.ContainsKey(UnixSocketOptions.KeyOf(address));

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

    /// <summary>HTTP/2 without TLS (prior knowledge) for what goes to a socket; other requests as they are.</summary>
    private sealed class Http2ToSockets(UnixSockets sockets) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            base.SendAsync(ForSocket(request), cancellationToken);

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
            base.Send(ForSocket(request), cancellationToken);

        private HttpRequestMessage ForSocket(HttpRequestMessage request)
        {
            if (request.RequestUri is { IsAbsoluteUri: true } address && sockets.HasSocket(address))
            {
                request.Version = HttpVersion.Version20;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            }
            return request;
        }
    }
}
