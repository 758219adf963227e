using System.Text.Json;
using System.Text.Json.Nodes;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Store.Gateway.Docs;

/// <summary>
/// <c>/docs</c>: one Swagger UI whose selector lists every service's OpenAPI document. The
/// documents come through the gateway: each route with an <c>OpenApiTitle</c> in its metadata
/// (<c>/openapi/{service}.json</c>, sent on to the service's <c>/swagger/v1/swagger.json</c>) is
/// one entry, and the document's <c>servers</c> and its token endpoint are set to the gateway, so
/// "Try it out" and "Authorize" go through the gateway too (a service names the token endpoint by
/// the absolute URL its own /docs page needs, <c>Docs:TokenUrl</c>). The gateway's address is
/// <c>Docs:ServerUrl</c> when set (its public URL), else <c>/</c>: wherever the document was loaded
/// from. Never the request's <c>Host</c>, which a cache in front could be made to store with a
/// stranger's host in it, so that "Try it out" sent tokens there.
/// </summary>
public static class ServiceDocs
{
    public const string TitleMetadata = "OpenApiTitle";
    public const string ServerUrlSetting = "Docs:ServerUrl";
    private const string TokenPath = "/api/auth/token";

    public static WebApplication MapServiceDocs(this WebApplication app)
    {
        var documents = app.Services.GetRequiredService<IProxyConfigProvider>().GetConfig().Routes
            .Where(route => route.Metadata?.ContainsKey(TitleMetadata) == true && route.Match.Path is not null)
            .OrderBy(route => route.Order ?? 0).ThenBy(route => route.Metadata![TitleMetadata], StringComparer.Ordinal)
            .ToList();

        // Only on its own path: the UI's middleware would otherwise look at every proxied request.
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/docs"), docs => docs.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "docs";
            options.DocumentTitle = "Store API - Swagger UI";
            foreach (var route in documents)
                options.SwaggerEndpoint(route.Match.Path!, route.Metadata![TitleMetadata]);
            options.EnablePersistAuthorization();
        }));
        return app;
    }

    /// <summary>The transform of the document routes: the service names itself as the server; the gateway is the one to call.</summary>
    public static void PointServersAtGateway(TransformBuilderContext context)
    {
        if (context.Route.Metadata?.ContainsKey(TitleMetadata) != true)
            return;

        var serverUrl = context.Services.GetRequiredService<IConfiguration>()[ServerUrlSetting] is { Length: > 0 } configured ? configured : "/";
        var tokenUrl = serverUrl.TrimEnd('/') + TokenPath;
        // The document is rewritten, so it must arrive uncompressed.
        context.AddRequestHeaderRemove("Accept-Encoding");
        context.AddResponseTransform(async transform =>
        {
            if (transform.ProxyResponse is not { IsSuccessStatusCode: true } upstream)
                return;

            var cancellationToken = transform.HttpContext.RequestAborted;
            await using var body = await upstream.Content.ReadAsStreamAsync(cancellationToken);
            if (await JsonNode.ParseAsync(body, cancellationToken: cancellationToken) is not JsonObject document)
                throw new JsonException("The OpenAPI document is not a JSON object.");

            document["servers"] = new JsonArray(new JsonObject
            {
                ["url"] = serverUrl,
                ["description"] = "The gateway",
            });
            if (document["components"]?["securitySchemes"]?["oauth2"]?["flows"]?["password"] is JsonObject password)
                password["tokenUrl"] = tokenUrl;

            transform.SuppressResponseBody = true;
            var response = transform.HttpContext.Response;
            response.ContentLength = null;
            await using var writer = new Utf8JsonWriter(response.Body);
            document.WriteTo(writer);
            await writer.FlushAsync(cancellationToken);
        });
    }
}
