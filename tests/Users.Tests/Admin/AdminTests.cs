using System.Net;
using System.Net.Http.Json;
using Store.Users.Data;

namespace Store.Users.Tests.Admin;

/// <summary>Admins list, read and delete accounts.</summary>
public sealed class AdminTests(UsersApi api) : IClassFixture<UsersApi>
{
    private static int TotalCount(HttpResponseMessage response) =>
        int.Parse(response.Headers.GetValues("X-Total-Count").Single(), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_list_pages_in_id_order_and_counts_every_match()
    {
        var tag = UsersApi.UniqueName("page");
        var created = new List<UserResponse>();
        for (var i = 0; i < 5; i++)
            created.Add(await api.RegisterAsync($"{tag}-{i}"));
        using var admin = await api.AsRealAdminAsync();

        using var first = await admin.GetAsync($"/api/users?search={tag}&limit=2");
        using var last = await admin.GetAsync($"/api/users?search={tag}&skip=4&limit=2");
        using var beyond = await admin.GetAsync($"/api/users?search={tag}&skip=10");

        Assert.Equal(5, TotalCount(first));
        Assert.Equal(created.Take(2), await first.Content.ReadFromJsonAsync<UserResponse[]>(UsersApi.Json));
        Assert.Equal(5, TotalCount(last));
        Assert.Equal(created.Skip(4), await last.Content.ReadFromJsonAsync<UserResponse[]>(UsersApi.Json));
        Assert.Equal(5, TotalCount(beyond));
        Assert.Empty((await beyond.Content.ReadFromJsonAsync<UserResponse[]>(UsersApi.Json))!);
    }

    [Fact]
    public async Task Without_paging_the_list_returns_the_first_ten()
    {
        var tag = UsersApi.UniqueName("ten");
        for (var i = 0; i < 11; i++)
            await api.RegisterAsync($"{tag}-{i}");
        using var admin = await api.AsRealAdminAsync();

        using var response = await admin.GetAsync($"/api/users?search={tag}");

        Assert.Equal(11, TotalCount(response));
        Assert.Equal(10, (await response.Content.ReadFromJsonAsync<UserResponse[]>(UsersApi.Json))!.Length);
    }

    [Theory]
    [InlineData("username")]
    [InlineData("email")]
    [InlineData("full_name")]
    public async Task Search_finds_a_substring_of_the_username_email_or_full_name_ignoring_case(string field)
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var user = field switch
        {
            "username" => await api.RegisterAsync($"x{marker}y"),
            "full_name" => await api.RegisterAsync(fullName: $"Name {marker} Person"),
            _ => await RegisterWithEmailAsync($"mail.{marker}@example.com"),
        };
        using var admin = await api.AsRealAdminAsync();

        using var response = await admin.GetAsync($"/api/users?search={marker.ToUpperInvariant()}");

        Assert.Equal(1, TotalCount(response));
        Assert.Equal([user], (await response.Content.ReadFromJsonAsync<UserResponse[]>(UsersApi.Json))!);
    }

    [Fact]
    public async Task Search_wildcards_are_taken_literally()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var percent = await api.RegisterAsync(fullName: $"{tag} 100% sure");
        await api.RegisterAsync(fullName: $"{tag} 100 x sure");
        using var admin = await api.AsRealAdminAsync();

        using var response = await admin.GetAsync($"/api/users?search={Uri.EscapeDataString("0% s")}");
        using var underscore = await admin.GetAsync($"/api/users?search={Uri.EscapeDataString(tag + " 100_")}");

        Assert.Equal([percent], (await response.Content.ReadFromJsonAsync<UserResponse[]>(UsersApi.Json))!);
        Assert.Equal(0, TotalCount(underscore));
    }

    [Theory]
    [InlineData("skip=-1", "skip")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    public async Task A_paging_value_out_of_range_is_422_naming_it(string query, string field)
    {
        using var admin = await api.AsRealAdminAsync();

        using var response = await admin.GetAsync($"/api/users?{query}");

        await response.AssertInvalidFieldAsync(field);
    }

    [Fact]
    public async Task An_admin_reads_any_account_and_gets_404_naming_a_missing_one()
    {
        var user = await api.RegisterAsync();
        using var admin = await api.AsRealAdminAsync();

        var read = await admin.GetFromJsonAsync<UserResponse>($"/api/users/{user.Id}", UsersApi.Json);
        using var missing = await admin.GetAsync("/api/users/999999");

        Assert.Equal(user, read);
        var problem = await missing.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("User 999999 not found", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Delete_removes_the_account_and_frees_its_name_and_email()
    {
        var user = await api.RegisterAsync();
        using var admin = await api.AsRealAdminAsync();

        using var deleted = await admin.DeleteAsync($"/api/users/{user.Id}");
        using var readAfter = await admin.GetAsync($"/api/users/{user.Id}");
        using var deletedAgain = await admin.DeleteAsync($"/api/users/{user.Id}");
        var again = await api.RegisterAsync(user.Username);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await readAfter.AssertProblemAsync(HttpStatusCode.NotFound);
        await deletedAgain.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.NotEqual(user.Id, again.Id);
        using var logIn = await api.RequestTokenAsync(("username", user.Username), ("password", UsersApi.Password));
        Assert.Equal(HttpStatusCode.OK, logIn.StatusCode);
    }

    [Fact]
    public async Task Concurrent_deletes_of_one_account_give_one_204_and_404s()
    {
        var user = await api.RegisterAsync();
        using var admin = await api.AsRealAdminAsync();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await admin.DeleteAsync($"/api/users/{user.Id}");
            return response.StatusCode;
        }));

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.NoContent));
        Assert.All(statuses.Where(s => s != HttpStatusCode.NoContent), s => Assert.Equal(HttpStatusCode.NotFound, s));
    }

    private async Task<UserResponse> RegisterWithEmailAsync(string email)
    {
        using var client = api.Anonymous();
        using var response = await client.PostAsJsonAsync("/api/users", new { username = UsersApi.UniqueName(), email, password = UsersApi.Password });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<UserResponse>(UsersApi.Json))!;
    }
}
