using System.Net;
using System.Net.Http.Json;
using Store.Items.Orders;

namespace Store.Items.Tests.Orders;

/// <summary>Who sees which orders (docs/contract.md): users their own, admins everyone's.</summary>
public sealed class OrderAccessTests(ItemsApi api) : IClassFixture<ItemsApi>
{
    private async Task<OrderResponse> BuyAsync(HttpClient buyer, int quantity = 1)
    {
        var item = await api.CreateItemAsync(new { name = "Poster", price = 5m, stock = 100 });
        using var response = await ItemsApi.PurchaseAsync(buyer, item.Id, quantity);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await ItemsApi.ReadOrderAsync(response);
    }

    private static async Task<(OrderResponse[] Orders, int Total)> ListAsync(HttpClient client, string query = "")
    {
        using var response = await client.GetAsync($"/api/orders{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var total = int.Parse(response.Headers.GetValues("X-Total-Count").Single(), System.Globalization.CultureInfo.InvariantCulture);
        return ((await response.Content.ReadFromJsonAsync<OrderResponse[]>(ItemsApi.Json))!, total);
    }

    [Theory]
    [InlineData("user")]
    [InlineData("admin")]
    public async Task A_valid_token_that_names_no_user_is_refused_before_any_order_is_read_or_placed(string role)
    {
        var item = await api.CreateItemAsync(new { name = "Poster", price = 5m, stock = 10 });
        using var service = api.ClientWith(Store.Testing.TestTokens.For(1, "a service", role, subject: "service-account"));

        using var list = await service.GetAsync("/api/orders");
        using var purchase = await ItemsApi.PurchaseAsync(service, item.Id, 1);

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, purchase.StatusCode);
        Assert.Equal("application/problem+json", purchase.Content.Headers.ContentType?.MediaType);
        await using var db = api.OpenDb();
        Assert.Equal(10, (await db.Items.FindAsync(item.Id))!.Stock);
    }

    [Fact]
    public async Task A_user_lists_only_their_own_orders_newest_first()
    {
        var aliceId = ItemsApi.NewUserId();
        using var alice = api.AsUser(aliceId, "alice");
        using var bob = api.AsUser(ItemsApi.NewUserId(), "bob");
        var first = await BuyAsync(alice);
        var second = await BuyAsync(alice, 2);
        await BuyAsync(bob);

        var (orders, total) = await ListAsync(alice);

        Assert.Equal(2, total);
        Assert.Equal([second.Id, first.Id], orders.Select(o => o.Id));
        Assert.All(orders, o => Assert.Equal(aliceId, o.UserId));
    }

    [Fact]
    public async Task The_list_is_paged_and_X_Total_Count_counts_every_match()
    {
        using var user = api.AsUser(ItemsApi.NewUserId());
        var bought = new List<OrderResponse>();
        for (var i = 0; i < 5; i++)
            bought.Add(await BuyAsync(user));

        var (page, total) = await ListAsync(user, "?skip=1&limit=2");

        Assert.Equal(5, total);
        Assert.Equal([bought[3].Id, bought[2].Id], page.Select(o => o.Id));
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=101")]
    [InlineData("?skip=-1")]
    [InlineData("?user_id=0")]
    public async Task Bad_paging_or_filter_is_422(string query)
    {
        using var user = api.AsUser(ItemsApi.NewUserId());
        using var response = await user.GetAsync($"/api/orders{query}");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task A_user_may_not_list_another_users_orders()
    {
        var ownId = ItemsApi.NewUserId();
        using var user = api.AsUser(ownId);

        using var others = await user.GetAsync($"/api/orders?user_id={ownId + 1}");
        using var own = await user.GetAsync($"/api/orders?user_id={ownId}");

        Assert.Equal(HttpStatusCode.Forbidden, others.StatusCode);
        Assert.Equal("application/problem+json", others.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task An_order_is_visible_to_its_buyer_and_admins_and_not_found_for_anyone_else()
    {
        using var buyer = api.AsUser(ItemsApi.NewUserId());
        using var stranger = api.AsUser(ItemsApi.NewUserId());
        using var admin = api.AsAdmin();
        var order = await BuyAsync(buyer);

        using var asBuyer = await buyer.GetAsync($"/api/orders/{order.Id}");
        using var asAdmin = await admin.GetAsync($"/api/orders/{order.Id}");
        using var asStranger = await stranger.GetAsync($"/api/orders/{order.Id}");
        using var missing = await admin.GetAsync("/api/orders/99999999");

        Assert.Equal(HttpStatusCode.OK, asBuyer.StatusCode);
        Assert.Equal(order, await asAdmin.Content.ReadFromJsonAsync<OrderResponse>(ItemsApi.Json));
        Assert.Equal(HttpStatusCode.NotFound, asStranger.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task An_admin_lists_everyones_orders_and_filters_by_user()
    {
        var aliceId = ItemsApi.NewUserId();
        var bobId = ItemsApi.NewUserId();
        using var alice = api.AsUser(aliceId, "alice");
        using var bob = api.AsUser(bobId, "bob");
        using var admin = api.AsAdmin();
        var alices = await BuyAsync(alice);
        var bobs = await BuyAsync(bob);

        var (everyone, total) = await ListAsync(admin, "?limit=100");
        var (onlyBob, bobTotal) = await ListAsync(admin, $"?user_id={bobId}");

        Assert.Contains(everyone, o => o.Id == alices.Id);
        Assert.Contains(everyone, o => o.Id == bobs.Id);
        Assert.True(total >= 2);
        Assert.Equal(1, bobTotal);
        Assert.Equal(bobs, onlyBob.Single());
    }
}
