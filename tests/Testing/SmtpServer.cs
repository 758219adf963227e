using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Store.Testing;

/// <summary>An e-mail as the test SMTP server received it.</summary>
public sealed record ReceivedEmail(string From, IReadOnlyList<string> To, string Subject, string Body, string? MessageId);

/// <summary>
/// A real SMTP server on a free port of 127.0.0.1, speaking as much of the protocol as SmtpClient
/// uses (220 greeting, EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT), and recording every
/// e-mail it accepts. Disposing it stops it.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable, IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ReceivedEmail> _received = new();
    private readonly Task _accepting;
    private int _sessions;
    private int _mostSessions;

    public SmtpServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public IReadOnlyList<ReceivedEmail> Received => [.. _received];

    /// <summary>
    /// How long the server takes before it accepts an e-mail's data (a slow server): e-mails pile up
    /// in the sender's hands while it waits. Zero by default.
    /// </summary>
    public TimeSpan AcceptDelay { get; set; }

    /// <summary>The most connections that were open at the same time (each from connect to its end).</summary>
    public int MostSessionsAtOnce => Volatile.Read(ref _mostSessions);

    /// <summary>A port on 127.0.0.1 that nothing listens on (a server that is down).</summary>
    public static int ClosedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>The e-mails to <paramref name="recipient"/>, once there are at least <paramref name="count"/>.</summary>
    public Task<List<ReceivedEmail>> WaitForAsync(string recipient, int count = 1, TimeSpan? timeout = null) =>
        Eventually.GetAsync(
            () => Task.FromResult(ReceivedBy(recipient)),
            emails => emails.Count >= count,
            timeout ?? TimeSpan.FromSeconds(30),
            $"{count} e-mail(s) to {recipient}");

    public List<ReceivedEmail> ReceivedBy(string recipient) =>
        [.. _received.Where(e => e.To.Contains(recipient, StringComparer.OrdinalIgnoreCase))];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var open = Interlocked.Increment(ref _sessions);
        for (var most = Volatile.Read(ref _mostSessions); open > most; most = Volatile.Read(ref _mostSessions))
            Interlocked.CompareExchange(ref _mostSessions, open, most);
        try
        {
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 test-smtp ready");
            string from = "";
            var to = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var command = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (command)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-test-smtp\r\n250 8BITMIME");
                        break;
                    case "HELO":
                    case "NOOP":
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RSET":
                        from = "";
                        to.Clear();
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "MAIL":
                        from = Address(line);
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        to.Add(Address(line));
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "DATA":
                        if (AcceptDelay > TimeSpan.Zero)
                            await Task.Delay(AcceptDelay, _stop.Token);
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                            data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        _received.Enqueue(Parse(from, [.. to], data.ToString()));
                        to.Clear();
                        await writer.WriteLineAsync("250 OK queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 Command not implemented");
                        break;
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (IOException)
        {
            // The client went away.
        }
        finally
        {
            Interlocked.Decrement(ref _sessions);
        }
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? line[(start + 1)..end] : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    /// <summary>Headers (unfolded) and body; a quoted-printable body has its soft line breaks and =XX escapes undone.</summary>
    private static ReceivedEmail Parse(string from, IReadOnlyList<string> to, string data)
    {
        var split = data.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split >= 0 ? data[..split] : data;
        var body = split >= 0 ? data[(split + 4)..] : "";
        var headers = head.Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", " ", StringComparison.Ordinal)
            .Split("\r\n")
            .Select(h => h.Split(':', 2))
            .Where(h => h.Length == 2)
            .GroupBy(h => h[0].Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);
        if (headers.TryGetValue("Content-Transfer-Encoding", out var encoding))
        {
            if (encoding.Equals("quoted-printable", StringComparison.OrdinalIgnoreCase))
                body = DecodeQuotedPrintable(body);
            else if (encoding.Equals("base64", StringComparison.OrdinalIgnoreCase))
                body = Encoding.UTF8.GetString(Convert.FromBase64String(body.Replace("\r\n", "", StringComparison.Ordinal)));
        }
        return new ReceivedEmail(from, to, headers.GetValueOrDefault("Subject", ""), body, headers.GetValueOrDefault("Message-ID"));
    }

    private static string DecodeQuotedPrintable(string text)
    {
        text = text.Replace("=\r\n", "", StringComparison.Ordinal);
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '=' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>Stops listening without waiting for the accept loop to end.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
