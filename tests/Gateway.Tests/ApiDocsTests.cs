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
        var server = document.GetProperty("servers").EnumerateArray().Single().GetProperty("url").GetString();
        Assert.Equal(gateway.GatewayOrigin, server);

        // "Try it out": the document's server and one of its paths.
        using var tryItOut = await client.GetAsync(new Uri($"{server}/api/items"));
        Assert.Equal(HttpStatusCode.OK, tryItOut.StatusCode);
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
