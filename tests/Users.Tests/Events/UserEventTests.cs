using System.Net;
using System.Net.Http.Json;
using Store.Contracts;
using Store.Testing;

namespace Store.Users.Tests.Events;

/// <summary>Each change the contract names publishes its event through the outbox, carrying the request's id and the actor.</summary>
public sealed class UserEventTests(UsersApi api) : IClassFixture<UsersApi>
{
    [Fact]
    public async Task Registration_publishes_UserRegistered_with_the_request_id()
    {
        await using var events = await EventCollector.StartAsync<UserRegistered>(api.Vhost.Name);
        var username = UsersApi.UniqueName("ev");
        using var client = api.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/users")
        {
            Content = JsonContent.Create(new { username, email = $"{username}@example.com", full_name = "Eve Vent", password = UsersApi.Password }),
        };
        request.Headers.Add("X-Request-Id", $"register-{username}");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var delivered = Assert.Single(await events.WaitForAsync(1, e => e.Username == username));
        var registered = delivered.Message;
        Assert.Equal($"{username}@example.com", registered.Email);
        Assert.Equal("Eve Vent", registered.FullName);
        Assert.Equal($"register-{username}", registered.CorrelationId);
        Assert.Equal(registered.UserId, registered.ActorId);
        Assert.Equal(registered.EventId, delivered.MessageId);
    }

    [Fact]
    public async Task Changing_settings_publishes_UserSettingsChanged_by_the_user()
    {
        await using var events = await EventCollector.StartAsync<UserSettingsChanged>(api.Vhost.Name);
        var user = await api.RegisterAsync();
        using var client = api.ClientWith(await api.TokenAsync(user.Username));

        using var response = await client.PutAsJsonAsync("/api/users/me/settings", new { email_notifications = false });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var changed = Assert.Single(await events.WaitForAsync(1, e => e.UserId == user.Id)).Message;
        Assert.False(changed.EmailNotifications);
        Assert.Equal(user.Id, changed.ActorId);
        Assert.Equal(user.Username, changed.ActorName);
    }

    [Fact]
    public async Task Deleting_a_user_publishes_UserDeleted_by_the_admin()
    {
        await using var events = await EventCollector.StartAsync<UserDeleted>(api.Vhost.Name);
        var user = await api.RegisterAsync();
        using var admin = await api.AsRealAdminAsync();

        using var response = await admin.DeleteAsync($"/api/users/{user.Id}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var deleted = Assert.Single(await events.WaitForAsync(1, e => e.UserId == user.Id)).Message;
        Assert.Equal(user.Username, deleted.Username);
        Assert.Equal(UsersApi.AdminUsername, deleted.ActorName);
    }

    [Fact]
    public async Task A_rejected_registration_publishes_nothing()
    {
        await using var events = await EventCollector.StartAsync<UserRegistered>(api.Vhost.Name);
        var taken = await api.RegisterAsync();
        var marker = await api.RegisterAsync();   // published after the rejected one would have been
        using var client = api.Anonymous();

        using var response = await client.PostAsJsonAsync("/api/users",
            new { username = taken.Username, email = "other@example.com", password = UsersApi.Password });
        var after = await api.RegisterAsync();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        await events.WaitForAsync(1, e => e.UserId == after.Id);
        Assert.Single(events.Deliveries, d => d.Message.Username == taken.Username);
        Assert.Single(events.Deliveries, d => d.Message.UserId == marker.Id);
    }
}
