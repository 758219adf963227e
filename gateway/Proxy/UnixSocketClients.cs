using Yarp.ReverseProxy.Forwarder;

namespace Store.Gateway.Proxy;

/// <summary>YARP's clients, connecting to each service instance as <see cref="UnixSockets"/> says.</summary>
public sealed class UnixSocketClients(ILogger<ForwarderHttpClientFactory> logger, UnixSockets sockets)
    : ForwarderHttpClientFactory(logger)
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        sockets.Apply(handler);
    }

    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        sockets.SendHttp2ToSockets(base.WrapHandler(context, handler));
}
