using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace Store.Testing;

/// <summary>
/// Hosts one service in memory against its own fresh database (and RabbitMQ vhost) on the real
/// servers, trusting <see cref="TestTokens"/>. Use it as an xUnit class fixture: each test class
/// gets its own, so test classes never share data.
/// </summary>
/// <typeparam name="TEntryPoint">Any type of the service's assembly (its DbContext, say).</typeparam>
public class ServiceFactory<TEntryPoint>(string databaseName) : WebApplicationFactory<TEntryPoint>, IAsyncLifetime
    where TEntryPoint : class
{
    public TestDatabase Database { get; private set; } = null!;
    public TestVhost Vhost { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(databaseName);
        Vhost = await TestVhost.CreateAsync(databaseName);
        // Every event has a queue, as in a deployment: the relay's mandatory publishes are taken.
        await Vhost.BindStandInConsumersAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
        await Vhost.DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // The same settings as a service run as a process (ServiceSettings); an empty value clears one.
        foreach (var (key, value) in ServiceSettings.For(databaseName, Database, Vhost))
            builder.UseSetting(key, value ?? "");
    }

    /// <summary>A client that sends <paramref name="token"/> as its bearer token (none when null).</summary>
    public HttpClient ClientWith(string? token)
    {
        var client = CreateClient();
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public HttpClient Anonymous() => ClientWith(null);
    public HttpClient AsUser(int id = 2, string name = "alice") => ClientWith(TestTokens.User(id, name));
    public HttpClient AsAdmin() => ClientWith(TestTokens.Admin());
}
