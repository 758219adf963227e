using System.Net.Http.Headers;
using Store.Client.Items;
using Store.Client.Users;
using Store.Testing;

namespace Store.EndToEnd.Tests;

/// <summary>
/// The suite as a user of its API meets it: through a C# client generated at build time (NSwag) from
/// the gateway's documents in docs/openapi/, with nothing written by hand but the calls.
/// </summary>
public sealed class GeneratedClientTests(Suite suite) : IClassFixture<Suite>
{
    [Fact]
    public async Task A_generated_client_registers_logs_in_creates_buys_and_reads_the_order_through_the_gateway()
    {
        using var anonymous = suite.Client();
        var users = new UsersClient(anonymous);
        var username = Suite.Unique("client");

        var registered = await users.RegisterUserAsync(new UserCreate
        {
            Username = username,
            Email = $"{username}@example.com",
            Password = "generated-client-password",
        });
        var userToken = await users.IssueTokenAsync(new TokenRequest { Grant_type = "password", Username = username, Password = "generated-client-password" });
        var adminToken = await users.IssueTokenAsync(new TokenRequest { Grant_type = "password", Username = Suite.AdminUsername, Password = Suite.AdminPassword });

        using var asAdmin = Authorized(adminToken.Access_token!);
        var item = await new ItemsClient(asAdmin).CreateItemAsync(new ItemCreate { Name = "Generated lamp", Price = 12.5, Stock = 3 });
        using var asUser = Authorized(userToken.Access_token!);
        var shop = new ItemsClient(asUser);
        var placed = await shop.PurchaseItemAsync(item.Id, new PurchaseRequest { Quantity = 2 });
        var order = await shop.GetOrderAsync(placed.Id);
        var tooMany = await Assert.ThrowsAsync<Store.Client.Items.ApiException<Store.Client.Items.ProblemDetails>>(
            () => shop.PurchaseItemAsync(item.Id, new PurchaseRequest { Quantity = 2 }));

        Assert.Equal(username, registered.Username);
        Assert.Equal("bearer", userToken.Token_type, ignoreCase: true);
        Assert.Equal(item.Id, order.Item_id);
        Assert.Equal("Generated lamp", order.Item_name);
        Assert.Equal(2, order.Quantity);
        Assert.Equal(25.0, order.Total);
        Assert.Equal(registered.Id, order.User_id);
        Assert.Equal(409, tooMany.StatusCode);
        Assert.Contains("only 1 available", tooMany.Result.Detail, StringComparison.Ordinal);
    }

    private HttpClient Authorized(string token)
    {
        var client = suite.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
