using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Store.Contracts;
using Store.Messaging;
using Store.Testing;
using Store.Users.Data;

namespace Store.Users.Tests.Admin;

/// <summary>
/// The first admin comes from configuration at start-up, once: restarts, a changed password setting
/// and two instances starting together leave exactly one.
/// </summary>
public sealed class FirstAdminTests
{
    /// <summary>A users service on a fresh database that has not started yet.</summary>
    private static async Task<UsersApi> FreshAsync()
    {
        var api = new UsersApi();
        await api.InitializeAsync();
        return api;
    }

    private static async Task DisposeAsync(UsersApi api) => await ((IAsyncLifetime)api).DisposeAsync();

    /// <summary>The admins in the database, read through <paramref name="host"/> (which it starts if it has not).</summary>
    private static async Task<List<User>> AdminsAsync(WebApplicationFactory<UsersDb> host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UsersDb>();
        return await db.Users.AsNoTracking().Where(u => u.Role == UserRole.Admin).ToListAsync();
    }

    [Fact]
    public async Task The_configured_admin_exists_logs_in_and_has_the_admin_role()
    {
        var api = await FreshAsync();
        try
        {
            var token = await api.AdminTokenAsync();
            using var client = api.ClientWith(token);
            var me = await client.GetFromJsonAsync<UserResponse>("/api/users/me", UsersApi.Json);

            Assert.Equal(UsersApi.AdminUsername, me!.Username);
            Assert.Equal(UserRole.Admin, me.Role);
            Assert.Equal("admin", new JsonWebToken(token).GetClaim("role").Value);
            Assert.Single(await AdminsAsync(api));
        }
        finally
        {
            await DisposeAsync(api);
        }
    }

    [Fact]
    public async Task Creating_the_first_admin_publishes_its_UserRegistered_like_a_registration()
    {
        var api = await FreshAsync();
        try
        {
            // Listening before the service starts (the first look at its database starts it).
            await using var events = await EventCollector.StartAsync<UserRegistered>(api.Vhost.Name);
            var admin = Assert.Single(await AdminsAsync(api));

            var registered = (await events.WaitForAsync(1, e => e.UserId == admin.Id)).Single().Message;
            Assert.Equal(UsersApi.AdminUsername, registered.Username);
            Assert.Equal(admin.Email, registered.Email);
            Assert.Equal(admin.Id, registered.ActorId);
            await using var scope = api.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<UsersDb>();
            Assert.Equal(1, await db.Set<OutboxMessage>().CountAsync(m => m.OrderingKey == $"user:{admin.Id}"));
        }
        finally
        {
            await DisposeAsync(api);
        }
    }

    [Fact]
    public async Task A_restart_keeps_the_one_admin_and_its_password_even_if_the_setting_changed()
    {
        var api = await FreshAsync();
        try
        {
            var before = Assert.Single(await AdminsAsync(api));
            await using (var restarted = api.WithWebHostBuilder(builder => builder.UseSetting("Admin:Password", "a different password")))
            {
                using var client = restarted.CreateClient();
                using var form = new FormUrlEncodedContent([new("username", UsersApi.AdminUsername), new("password", UsersApi.AdminPassword)]);
                using var response = await client.PostAsync("/api/auth/token", form);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            var after = Assert.Single(await AdminsAsync(api));
            Assert.Equal((before.Id, before.PasswordHash), (after.Id, after.PasswordHash));
        }
        finally
        {
            await DisposeAsync(api);
        }
    }

    [Fact]
    public async Task Two_instances_starting_together_on_a_fresh_database_create_one_admin()
    {
        var database = await FreshAsync();   // its own host is never started: only the two below
        try
        {
            await using var first = database.WithWebHostBuilder(_ => { });
            await using var second = database.WithWebHostBuilder(_ => { });

            await Task.WhenAll(Task.Run(() => first.CreateClient().Dispose()), Task.Run(() => second.CreateClient().Dispose()));

            var admins = await AdminsAsync(first);
            Assert.Equal(UsersApi.AdminUsername, Assert.Single(admins).Username);
        }
        finally
        {
            await DisposeAsync(database);
        }
    }

    [Fact]
    public async Task Without_an_admin_password_the_service_starts_with_no_admin()
    {
        var api = await FreshAsync();
        try
        {
            await using var unconfigured = api.WithWebHostBuilder(builder => builder.UseSetting("Admin:Password", ""));
            using var client = unconfigured.CreateClient();

            using var response = await client.GetAsync("/health/ready");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(await AdminsAsync(unconfigured));
        }
        finally
        {
            await DisposeAsync(api);
        }
    }

    [Fact]
    public async Task An_admin_setting_that_breaks_the_registration_rules_stops_the_start_and_creates_nothing()
    {
        var api = await FreshAsync();
        try
        {
            using (var broken = api.WithWebHostBuilder(builder => builder.UseSetting("Admin:Password", "short")))
                Assert.NotNull(Record.Exception(() => broken.CreateClient()));

            await using var unconfigured = api.WithWebHostBuilder(builder => builder.UseSetting("Admin:Password", ""));
            Assert.Empty(await AdminsAsync(unconfigured));
        }
        finally
        {
            await DisposeAsync(api);
        }
    }
}
