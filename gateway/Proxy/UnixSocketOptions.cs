using System.ComponentModel.DataAnnotations;

namespace Store.Gateway.Proxy;

/// <summary>
/// Settings of the <c>UnixSockets</c> section: the service instances on the gateway's own machine
/// that it reaches over a Unix domain socket instead of loopback TCP (<see cref="UnixSocketClients"/>).
/// </summary>
public sealed class UnixSocketOptions : IValidatableObject
{
    public const string Section = "UnixSockets";

    /// <summary>
    /// By any name: a destination's address as a cluster names it (<c>http://127.0.0.1:5102/</c>) and
    /// the socket the instance at that address also listens on. Connections to any other address are TCP.
    /// </summary>
    public Dictionary<string, UnixSocketDestination> Destinations { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        from destination in Destinations
        where destination.Value.Address is not { IsAbsoluteUri: true } || string.IsNullOrWhiteSpace(destination.Value.Path)
        select new ValidationResult(
            $"{Section}:{nameof(Destinations)}:{destination.Key} needs an absolute Address (a destination's) and a Path (its socket).");
}

public sealed class UnixSocketDestination
{
    public Uri? Address { get; set; }

    public string Path { get; set; } = "";
}
