namespace Store.ServiceDefaults;

/// <summary>Settings of the <c>Docs</c> configuration section: what a service's own /docs page needs.</summary>
public sealed class DocsOptions
{
    public const string Section = "Docs";

    /// <summary>
    /// Where Swagger UI's "Authorize" posts the username and password: the users service's token
    /// endpoint as a browser reaches it, the gateway's by default. Absolute, so that it works from the
    /// /docs page of every service, not only from the one that issues tokens; the gateway allows the
    /// services' /docs origins to call it (its <c>Cors:DocsOrigins</c>), and its own /docs names it
    /// relative to itself.
    /// </summary>
    public string TokenUrl { get; set; } = "http://localhost:8080/api/auth/token";

    /// <summary>
    /// The document's <c>servers</c> entry: this service's public URL, or <c>/</c> (wherever the
    /// document was loaded from). The gateway's copy of the document names the gateway instead.
    /// </summary>
    public string ServerUrl { get; set; } = "/";

    internal bool HasAbsoluteTokenUrl =>
        Uri.TryCreate(TokenUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);
}
