using Microsoft.Extensions.FileProviders;

namespace Store.Gateway.Ops;

/// <summary>
/// <c>/ops</c>: the operator's page, plain HTML and JavaScript from <c>wwwroot/ops</c> (no build step).
/// Anyone may load the files; the page logs in with the password flow and everything it shows comes
/// from the admin-only APIs of the services (each service's health, queues, outbox, and one request
/// followed through them: docs/architecture.md, "Operating the suite").
/// </summary>
public static class OpsPage
{
    private const string Path = "/ops";

    /// <summary>The page may run only its own files and talk only to the gateway, and no other site may frame it.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    public static WebApplication MapOpsPage(this WebApplication app)
    {
        // The files are copied next to the gateway's assembly (Gateway.csproj), for builds and publishes alike.
        var files = new PhysicalFileProvider(System.IO.Path.Combine(AppContext.BaseDirectory, "wwwroot", "ops"));
        app.UseWhen(http => http.Request.Path.StartsWithSegments(Path), ops =>
        {
            ops.Use((http, next) =>
            {
                http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers.CacheControl = "no-cache";
                // "/ops" and "/ops/" are the page itself, with no redirect between them.
                if (http.Request.Path.Value is Path or Path + "/")
                    http.Request.Path = Path + "/index.html";
                return next(http);
            });
            ops.UseStaticFiles(new StaticFileOptions { FileProvider = files, RequestPath = Path });
        });
        return app;
    }
}
