using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Store.Users.Data;

namespace Store.Users.Tests.Registration;

public sealed class RegistrationTests(UsersApi api) : IClassFixture<UsersApi>
{
    [Fact]
    public async Task Register_then_log_in_then_read_me_round_trips()
    {
        var username = UsersApi.UniqueName("Round");
        using var anonymous = api.Anonymous();

        using var registered = await anonymous.PostAsJsonAsync("/api/users",
            new { username, email = $"{username}@Example.com", full_name = "Round Trip", password = UsersApi.Password });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var created = (await registered.Content.ReadFromJsonAsync<UserResponse>(UsersApi.Json))!;
        Assert.Equal($"/api/users/{created.Id}", registered.Headers.Location?.OriginalString);
        Assert.Equal(username, created.Username);
        Assert.Equal($"{username}@Example.com", created.Email);
        Assert.Equal("Round Trip", created.FullName);
        Assert.Equal(UserRole.User, created.Role);
        Assert.True(created.IsActive);
        Assert.InRange(created.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));

        var token = await api.TokenAsync(username);
        using var client = api.ClientWith(token);
        var me = await client.GetFromJsonAsync<UserResponse>("/api/users/me", UsersApi.Json);

        Assert.Equal(created, me);
    }

    [Fact]
    public async Task A_registration_cannot_choose_its_role_or_state()
    {
        var username = UsersApi.UniqueName();
        using var anonymous = api.Anonymous();

        using var response = await anonymous.PostAsJsonAsync("/api/users",
            new { username, email = $"{username}@example.com", password = UsersApi.Password, role = "admin", is_active = false, id = 1 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<UserResponse>(UsersApi.Json))!;
        Assert.Equal(UserRole.User, created.Role);
        Assert.True(created.IsActive);
        Assert.NotEqual(1, created.Id);
    }

    [Theory]
    [InlineData("same")]
    [InlineData("upper")]
    public async Task A_taken_username_is_409_whatever_its_case(string variant)
    {
        var first = await api.RegisterAsync(UsersApi.UniqueName("Taken"));
        var again = variant == "upper" ? first.Username.ToUpperInvariant() : first.Username;
        using var anonymous = api.Anonymous();

        using var response = await anonymous.PostAsJsonAsync("/api/users",
            new { username = again, email = $"{UsersApi.UniqueName()}@example.com", password = UsersApi.Password });

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("username", problem.GetProperty("field").GetString());
        Assert.Contains(again, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("same")]
    [InlineData("upper")]
    public async Task A_taken_email_is_409_whatever_its_case(string variant)
    {
        var first = await api.RegisterAsync();
        var again = variant == "upper" ? first.Email.ToUpperInvariant() : first.Email;
        using var anonymous = api.Anonymous();

        using var response = await anonymous.PostAsJsonAsync("/api/users",
            new { username = UsersApi.UniqueName(), email = again, password = UsersApi.Password });

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("email", problem.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("username")]
    [InlineData("email")]
    public async Task Concurrent_registrations_of_one_name_give_exactly_one_201_and_the_rest_409(string shared)
    {
        const int Racers = 12;
        var name = UsersApi.UniqueName("Race");
        using var anonymous = api.Anonymous();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var attempts = Enumerable.Range(0, Racers).Select(i => Task.Run(async () =>
        {
            // Each racer differs only in the field that is not shared; the case differs too.
            var username = shared == "username" ? (i % 2 == 0 ? name : name.ToUpperInvariant()) : $"{name}-{i}";
            var email = shared == "email" ? (i % 2 == 0 ? $"{name}@example.com" : $"{name.ToUpperInvariant()}@EXAMPLE.com") : $"{name}-{i}@example.com";
            await start.Task;
            using var response = await anonymous.PostAsJsonAsync("/api/users", new { username, email, password = UsersApi.Password });
            return response.StatusCode;
        })).ToList();
        start.SetResult();
        var statuses = await Task.WhenAll(attempts);

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(Racers - 1, statuses.Count(s => s == HttpStatusCode.Conflict));
        var prefix = name.ToLowerInvariant();
        var stored = await api.InDatabaseAsync(db => db.Users.CountAsync(u => u.NormalizedUsername.StartsWith(prefix)));
        Assert.Equal(1, stored);
    }

    [Fact]
    public async Task Responses_never_contain_the_password_or_its_hash()
    {
        var (user, client) = await api.NewUserAsync();
        var hash = (await api.StoredUserAsync(user.Id)).PasswordHash;
        using var admin = await api.AsRealAdminAsync();
        using var anonymous = api.Anonymous();
        var username = UsersApi.UniqueName();

        var bodies = new List<string>
        {
            await (await anonymous.PostAsJsonAsync("/api/users", new { username, email = $"{username}@example.com", password = UsersApi.Password }))
                .Content.ReadAsStringAsync(),
            await client.GetStringAsync("/api/users/me"),
            await client.GetStringAsync($"/api/users/{user.Id}"),
            await (await client.PatchAsJsonAsync("/api/users/me", new { full_name = "Changed" })).Content.ReadAsStringAsync(),
            await admin.GetStringAsync($"/api/users?search={user.Username}"),
            await admin.GetStringAsync($"/api/users/{user.Id}"),
        };

        Assert.All(bodies, body =>
        {
            Assert.Contains("\"username\"", body, StringComparison.Ordinal);
            Assert.DoesNotContain(UsersApi.Password, body, StringComparison.Ordinal);
            Assert.DoesNotContain(hash, body, StringComparison.Ordinal);
            Assert.DoesNotContain("password", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("hash", body, StringComparison.OrdinalIgnoreCase);
        });
    }
}
