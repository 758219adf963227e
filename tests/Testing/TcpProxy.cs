using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Store.Testing;

/// <summary>
/// A loopback TCP proxy in front of a server (RabbitMQ, say) that a test can cut: every open
/// connection is reset and new ones are dropped until <see cref="Resume"/>. It makes an outage real
/// from the point of view of the service behind it without touching the server, which other tests
/// and other people on the machine share. It can also hold back what the server sends (a slow server:
/// its confirms late) without closing anything.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly Task _accepting;
    private volatile bool _cut;
    private TaskCompletionSource? _replies;

    private TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The address to connect to instead of the server's (loopback, wherever the server is).</summary>
    public string Host => ((IPEndPoint)_listener.LocalEndpoint).Address.ToString();

    /// <summary>The loopback port to connect to instead of the server's.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static TcpProxy Start(string targetHost, int targetPort) => new(targetHost, targetPort);

    /// <summary>A proxy to the test RabbitMQ server.</summary>
    public static TcpProxy ToRabbitMq() => Start(TestServers.RabbitHost, TestServers.RabbitPort);

    /// <summary>Resets every open connection and drops new ones until <see cref="Resume"/>.</summary>
    public void Cut()
    {
        _cut = true;
        foreach (var socket in _sockets.Keys)
            Reset(socket);
    }

    public void Resume() => _cut = false;

    /// <summary>
    /// Passes on nothing the server sends (its replies, confirms, deliveries) until
    /// <see cref="ReleaseReplies"/>, while what the client sends still reaches the server.
    /// </summary>
    public void HoldReplies() =>
        Interlocked.CompareExchange(ref _replies, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    /// <summary>Passes on what the server sent while held, and everything after it.</summary>
    public void ReleaseReplies() => Interlocked.Exchange(ref _replies, null)?.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Cut();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting for a connection.
        }
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            if (_cut)
            {
                Reset(client);
                continue;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        _sockets.TryAdd(client, 0);
        _sockets.TryAdd(server, 0);
        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, _stopping.Token);
            await using var clientStream = new NetworkStream(client, ownsSocket: false);
            await using var serverStream = new NetworkStream(server, ownsSocket: false);
            // When either direction ends, the other is closed too.
            await Task.WhenAny(clientStream.CopyToAsync(serverStream, _stopping.Token), CopyRepliesAsync(serverStream, clientStream));
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // A cut or a peer that went away: both ends are reset below.
        }
        finally
        {
            Reset(client);
            Reset(server);
        }
    }

    private async Task CopyRepliesAsync(NetworkStream server, NetworkStream client)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = await server.ReadAsync(buffer, _stopping.Token)) > 0)
        {
            if (Volatile.Read(ref _replies) is { } held)
                await held.Task.WaitAsync(_stopping.Token);
            await client.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
        }
    }

    /// <summary>Closes with a TCP reset, as a dead network path or a crashed peer would look.</summary>
    private void Reset(Socket socket)
    {
        _sockets.TryRemove(socket, out _);
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }
}
