using System.Net;

namespace Store.Gateway.Tests;

/// <summary>/docs: one Swagger UI for every service, with the documents and "Try it out" going through the gateway.</summary>
public sealed class ApiDocsTests(GatewayUnderTest gateway) : IClassFixture<GatewayUnderTest>
{
    [Fact]
    public async Task The_docs_page_lists_every_services_document_at_the_gateway()
    {
        using var client = gateway.Client();

        using var page = await client.GetAsync("/docs/index.html");
        // Swagger UI reads its list of documents from the script next to the page.
        using var script = await client.GetAsync("/docs/index.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("swagger-ui", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        var configuration = await script.Content.ReadAsStringAsync();
        foreach (var service in GatewayUnderTest.Services)
            Assert.Contains($"\"url\":\"/openapi/{service}.json\"", configuration, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_services_document_comes_through_the_gateway_naming_the_gateway_as_its_server()
    {
        using var client = gateway.Client();

        using var response = await client.GetAsync("/openapi/items.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await Answers.JsonAsync(response);
        Assert.Equal("Items", document.GetProperty("info").GetProperty("title").GetString());
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/items", out _));
        // Docs:ServerUrl is not set: "/", the origin the document was loaded from.
        var server = document.GetProperty("servers").EnumerateArray().Single().GetProperty("url").GetString();
        Assert.Equal("/", server);

        // "Try it out": the server resolved against the document's address, and one of its paths.
        var documentAddress = new Uri(new Uri(gateway.GatewayOrigin), "/openapi/items.json");
        using var tryItOut = await client.GetAsync(new Uri(documentAddress, server!.TrimEnd('/') + "/api/items"));
        Assert.Equal(HttpStatusCode.OK, tryItOut.StatusCode);

        // The request's Host header does not make its way into the document (a cache in front
        // would keep the poisoned copy for everyone).
        using var poisoned = new HttpRequestMessage(HttpMethod.Get, "/openapi/items.json");
        poisoned.Headers.Host = "attacker.example";
        using var poisonedResponse = await client.SendAsync(poisoned);
        Assert.Equal(HttpStatusCode.OK, poisonedResponse.StatusCode);
        var poisonedDocument = await Answers.JsonAsync(poisonedResponse);
        Assert.Equal("/", poisonedDocument.GetProperty("servers").EnumerateArray().Single().GetProperty("url").GetString());
    }

    [Fact]
    public async Task The_document_of_a_service_that_is_down_is_a_problem()
    {
        using var client = gateway.Client();

        using var response = await client.GetAsync("/openapi/audit.json");

        Assert.True(response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable,
            $"answered {(int)response.StatusCode}");
        await Answers.AssertProblemAsync(response, response.StatusCode);
    }
}
