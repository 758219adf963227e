namespace Store.Gateway.Edge;

/// <summary>Settings of the <c>Cors</c> section: which browser origins may call the API (none unless listed).</summary>
public sealed class CorsOriginOptions
{
    public const string Section = "Cors";

    /// <summary>Origins of the web apps that call the API.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>The services' own /docs origins, which may call the token endpoint only.</summary>
    public string[] DocsOrigins { get; set; } = [];
}
