using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Store.Users.Data;
using Store.Users.Auth;
using Store.Users.Profile;

namespace Store.Users.Tests.Profile;

/// <summary>/api/users/me: the caller reads and changes their own account.</summary>
public sealed class ProfileTests(UsersApi api) : IClassFixture<UsersApi>
{
    [Fact]
    public async Task Me_is_the_callers_own_account()
    {
        var (user, client) = await api.NewUserAsync(fullName: "Me Myself");
        using (client)
        {
            var me = await client.GetFromJsonAsync<UserResponse>("/api/users/me", UsersApi.Json);

            Assert.Equal(user, me);
        }
    }

    [Fact]
    public async Task Patch_changes_only_the_fields_sent()
    {
        var (user, client) = await api.NewUserAsync(fullName: "Before");
        using (client)
        {
            var newEmail = $"{UsersApi.UniqueName()}@example.org";

            using var renamed = await client.PatchAsJsonAsync("/api/users/me", new { full_name = "After" });
            using var moved = await client.PatchAsJsonAsync("/api/users/me", new { email = newEmail });
            using var cleared = await client.PatchAsync("/api/users/me", JsonContent.Create(new JsonObject { ["full_name"] = null }));

            Assert.Equal("After", (await renamed.Content.ReadFromJsonAsync<UserResponse>(UsersApi.Json))!.FullName);
            var afterMove = (await moved.Content.ReadFromJsonAsync<UserResponse>(UsersApi.Json))!;
            Assert.Equal((newEmail, "After"), (afterMove.Email, afterMove.FullName));
            var afterClear = (await cleared.Content.ReadFromJsonAsync<UserResponse>(UsersApi.Json))!;
            Assert.Equal(user with { Email = newEmail, FullName = null }, afterClear);
            Assert.Equal(afterClear, await client.GetFromJsonAsync<UserResponse>("/api/users/me", UsersApi.Json));
        }
    }

    [Fact]
    public async Task Patch_cannot_change_the_username_or_role()
    {
        var (user, client) = await api.NewUserAsync();
        using (client)
        {
            using var response = await client.PatchAsJsonAsync("/api/users/me", new { username = "renamed", role = "admin", is_active = false });

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(user, await response.Content.ReadFromJsonAsync<UserResponse>(UsersApi.Json));
        }
    }

    [Fact]
    public async Task An_email_another_account_has_is_409_whatever_its_case()
    {
        var other = await api.RegisterAsync();
        var (_, client) = await api.NewUserAsync();
        using (client)
        {
            using var response = await client.PatchAsJsonAsync("/api/users/me", new { email = other.Email.ToUpperInvariant() });

            var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict);
            Assert.Equal("email", problem.GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task Keeping_ones_own_email_in_another_case_is_allowed()
    {
        var (user, client) = await api.NewUserAsync();
        using (client)
        {
            using var response = await client.PatchAsJsonAsync("/api/users/me", new { email = user.Email.ToUpperInvariant() });

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    public static TheoryData<string, JsonNode?> Violations() => new()
    {
        { "email", null },
        { "email", "not-an-address" },
        { "email", "" },
        { "email", new string('e', 243) + "@example.com" },
        { "full_name", "  " },
        { "full_name", new string('f', 101) },
        { "password", null },
        { "password", "short" },
        { "password", new string('p', 129) },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task A_broken_rule_is_422_naming_the_field(string field, JsonNode? value)
    {
        var (_, client) = await api.NewUserAsync();
        using (client)
        {
            var body = new JsonObject { [field] = value?.DeepClone(), ["current_password"] = UsersApi.Password };

            using var response = await client.PatchAsync("/api/users/me", JsonContent.Create(body));

            await response.AssertInvalidFieldAsync(field);
        }
    }

    [Fact]
    public async Task A_new_password_without_the_current_one_is_422_naming_current_password()
    {
        var (_, client) = await api.NewUserAsync();
        using (client)
        {
            using var response = await client.PatchAsJsonAsync("/api/users/me", new { password = "a brand new password" });

            await response.AssertInvalidFieldAsync("current_password");
        }
    }

    [Fact]
    public async Task A_new_password_with_a_wrong_current_one_is_422_and_changes_nothing()
    {
        var (user, client) = await api.NewUserAsync();
        using (client)
        {
            using var response = await client.PatchAsJsonAsync("/api/users/me",
                new { password = "a brand new password", current_password = "not my password", full_name = "Should not stick" });

            await response.AssertInvalidFieldAsync("current_password");
            Assert.Equal(user, await client.GetFromJsonAsync<UserResponse>("/api/users/me", UsersApi.Json));
            await api.TokenAsync(user.Username);
        }
    }

    [Fact]
    public async Task A_new_password_with_the_current_one_replaces_it()
    {
        const string NewPassword = "a brand new password";
        var (user, client) = await api.NewUserAsync();
        using (client)
        {
            using var response = await client.PatchAsJsonAsync("/api/users/me", new { password = NewPassword, current_password = UsersApi.Password });

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var oldPassword = await api.RequestTokenAsync(("username", user.Username), ("password", UsersApi.Password));
            Assert.Equal("invalid_grant", (await oldPassword.Content.ReadFromJsonAsync<TokenError>(UsersApi.Json))!.Error);
            await api.TokenAsync(user.Username, NewPassword);
        }
    }

    [Fact]
    public async Task Settings_start_with_email_notifications_on()
    {
        var (_, client) = await api.NewUserAsync();
        using (client)
        {
            var settings = await client.GetFromJsonAsync<SettingsResponse>("/api/users/me/settings", UsersApi.Json);

            Assert.Equal(new SettingsResponse(EmailNotifications: true), settings);
        }
    }

    [Fact]
    public async Task Put_settings_replaces_them_for_that_user_only()
    {
        var (_, client) = await api.NewUserAsync();
        var (_, bystander) = await api.NewUserAsync();
        using (client)
        using (bystander)
        {
            using var off = await client.PutAsJsonAsync("/api/users/me/settings", new { email_notifications = false });

            Assert.Equal(new SettingsResponse(false), await off.Content.ReadFromJsonAsync<SettingsResponse>(UsersApi.Json));
            Assert.Equal(new SettingsResponse(false), await client.GetFromJsonAsync<SettingsResponse>("/api/users/me/settings", UsersApi.Json));
            Assert.Equal(new SettingsResponse(true), await bystander.GetFromJsonAsync<SettingsResponse>("/api/users/me/settings", UsersApi.Json));

            using var on = await client.PutAsJsonAsync("/api/users/me/settings", new { email_notifications = true });
            Assert.Equal(new SettingsResponse(true), await client.GetFromJsonAsync<SettingsResponse>("/api/users/me/settings", UsersApi.Json));
        }
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"email_notifications": null}""")]
    public async Task Put_settings_without_a_value_is_422_naming_email_notifications(string json)
    {
        var (_, client) = await api.NewUserAsync();
        using (client)
        {
            using var response = await client.PutAsync("/api/users/me/settings", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

            await response.AssertInvalidFieldAsync("email_notifications");
        }
    }

    [Fact]
    public async Task Put_settings_with_a_string_for_the_flag_is_400()
    {
        var (_, client) = await api.NewUserAsync();
        using (client)
        {
            using var response = await client.PutAsync("/api/users/me/settings",
                new StringContent("""{"email_notifications": "yes"}""", System.Text.Encoding.UTF8, "application/json"));

            await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        }
    }
}
