using System.ComponentModel.DataAnnotations;
using System.Text;

namespace Store.Gateway.Proxy;

/// <summary>
/// Settings of the <c>UnixSockets</c> section: the service instances on the gateway's own machine
/// that it reaches over a Unix domain socket instead of loopback TCP (<see cref="UnixSockets"/>).
/// Read at start: a change takes a restart of the gateway.
/// </summary>
public sealed class UnixSocketOptions : IValidatableObject
{
    public const string Section = "UnixSockets";

    /// <summary>The longest socket path Linux takes (<c>sun_path</c> less its terminating zero).</summary>
    private const int MaxPathBytes = 107;

    /// <summary>
    /// By any name: a destination's address as a cluster names it (<c>http://127.0.0.1:5102/</c>) and
    /// the socket the instance at that address also listens on. Connections to any other address are TCP.
    /// </summary>
    public Dictionary<string, UnixSocketDestination> Destinations { get; set; } = [];

    /// <summary>What a connection's host and port are matched on (the host as the HTTP client resolves it: IPv6 without brackets).</summary>
    internal static (string Host, int Port) KeyOf(Uri address) => KeyOf(address.IdnHost, address.Port);

    /// <summary>A host and port as <see cref="KeyOf(Uri)"/> matches them: host names are not case-sensitive.</summary>
    internal static (string Host, int Port) KeyOf(string host, int port) => (host.ToLowerInvariant(), port);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var named = new HashSet<(string, int)>();
        foreach (var (name, destination) in Destinations)
        {
            var setting = $"{Section}:{nameof(Destinations)}:{name}";
            if (destination.Address is not { IsAbsoluteUri: true } address)
                yield return new ValidationResult($"{setting} needs an absolute Address (a destination's).");
            else if (!named.Add(KeyOf(address)))
                yield return new ValidationResult($"{setting}: another destination names {address.Authority} already.");
            if (!Path.IsPathRooted(destination.Path))
                yield return new ValidationResult($"{setting} needs an absolute Path (its socket).");
            else if (Encoding.UTF8.GetByteCount(destination.Path) > MaxPathBytes)
                yield return new ValidationResult($"{setting}: a socket's Path has at most {MaxPathBytes} bytes.");
        }
    }
}

public sealed class UnixSocketDestination
{
    public Uri? Address { get; set; }

    public string Path { get; set; } = "";
}
