using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Store.Users.Data;

namespace Store.Users.Tests.Admin;

/// <summary>
/// An admin cannot delete its own account, nor the last admin: either would leave nobody to
/// administer (and the next start would make the first admin again with its configured password).
/// Each class here has a database of its own, since a test may delete the first admin.
/// </summary>
public sealed class SelfAndLastAdminTests(UsersApi api) : IClassFixture<UsersApi>
{
    [Fact]
    public async Task An_admin_deleting_its_own_account_is_409_and_the_account_stays()
    {
        using var admin = await api.AsRealAdminAsync();
        var me = (await admin.GetFromJsonAsync<UserResponse>("/api/users/me", UsersApi.Json))!;

        using var response = await admin.DeleteAsync($"/api/users/{me.Id}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("You cannot delete your own account; another admin can.", problem.GetProperty("detail").GetString());
        using var still = await admin.GetAsync("/api/users/me");
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public async Task Deleting_the_last_admin_is_409_even_with_an_admin_token()
    {
        // An admin token that outlived its role (demoted since it was issued) is still an admin's
        // token until it expires, and the first admin is then the only admin there is.
        var demoted = await api.RegisterAsync();
        await LastAdmin.SetRoleAsync(api, demoted.Id, UserRole.Admin);
        using var client = api.ClientWith(await api.TokenAsync(demoted.Username));
        await LastAdmin.SetRoleAsync(api, demoted.Id, UserRole.User);
        using var admin = await api.AsRealAdminAsync();
        var first = (await admin.GetFromJsonAsync<UserResponse>("/api/users/me", UsersApi.Json))!;

        using var response = await client.DeleteAsync($"/api/users/{first.Id}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal($"User {first.Id} is the last admin; make another account admin first.", problem.GetProperty("detail").GetString());
        Assert.Equal(UserRole.Admin, (await api.StoredUserAsync(first.Id)).Role);
    }
}

/// <summary>Two admins deleting each other at the same moment: one of them wins, one admin is left.</summary>
public sealed class AdminsDeletingEachOtherTests(UsersApi api) : IClassFixture<UsersApi>
{
    [Fact]
    public async Task One_delete_succeeds_and_one_admin_remains()
    {
        var second = await api.RegisterAsync();
        await LastAdmin.SetRoleAsync(api, second.Id, UserRole.Admin);
        using var secondAdmin = api.ClientWith(await api.TokenAsync(second.Username));
        using var firstAdmin = await api.AsRealAdminAsync();
        var first = (await firstAdmin.GetFromJsonAsync<UserResponse>("/api/users/me", UsersApi.Json))!;

        static async Task<HttpStatusCode> DeleteAsync(HttpClient client, int id)
        {
            using var response = await client.DeleteAsync($"/api/users/{id}");
            return response.StatusCode;
        }
        var statuses = await Task.WhenAll(
            Task.Run(() => DeleteAsync(firstAdmin, second.Id)),
            Task.Run(() => DeleteAsync(secondAdmin, first.Id)));

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.NoContent));
        // The other one is refused: the last admin (409), or a token of an account deleted meanwhile (401).
        Assert.Single(statuses, s => s is HttpStatusCode.Conflict or HttpStatusCode.Unauthorized);
        Assert.Equal(1, await api.InDatabaseAsync(db => db.Users.CountAsync(u => u.Role == UserRole.Admin)));
    }
}

internal static class LastAdmin
{
    public static Task SetRoleAsync(UsersApi api, int id, UserRole role) =>
        api.InDatabaseAsync(db => db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(set => set.SetProperty(u => u.Role, role)));
}
