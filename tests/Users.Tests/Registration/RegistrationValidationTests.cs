using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Store.Users.Tests.Registration;

public sealed class RegistrationValidationTests(UsersApi api) : IClassFixture<UsersApi>
{
    private static JsonObject Valid()
    {
        var username = UsersApi.UniqueName();
        return new JsonObject
        {
            ["username"] = username,
            ["email"] = $"{username}@example.com",
            ["full_name"] = "Val Id",
            ["password"] = UsersApi.Password,
        };
    }

    // Each case breaks exactly one rule of the registration (docs/contract.md) and names the field it breaks.
    public static TheoryData<string, JsonNode?> Violations() => new()
    {
        { "username", null },
        { "username", "" },
        { "username", "ab" },
        { "username", new string('u', 51) },
        { "username", "has space" },
        { "username", "semi;colon" },
        { "username", "at@sign" },
        { "username", "ünïcode" },
        { "email", null },
        { "email", "" },
        { "email", "no-at-sign" },
        { "email", "two@@example.com" },
        { "email", "@example.com" },
        { "email", "someone@" },
        { "email", "someone@localhost" },
        { "email", "some one@example.com" },
        { "email", "someone@example..com" },
        { "email", "someone@example.com." },
        { "email", new string('e', 243) + "@example.com" },
        { "full_name", "   " },
        { "full_name", new string('f', 101) },
        { "password", null },
        { "password", "" },
        { "password", "7-chars" },
        { "password", new string('p', 129) },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task A_broken_rule_is_422_naming_the_field(string field, JsonNode? value)
    {
        var body = Valid();
        body[field] = value?.DeepClone();
        using var client = api.Anonymous();

        using var response = await client.PostAsJsonAsync("/api/users", body);

        await response.AssertInvalidFieldAsync(field);
    }

    [Theory]
    [InlineData("username")]
    [InlineData("email")]
    [InlineData("password")]
    public async Task A_missing_required_field_is_422_naming_it(string field)
    {
        var body = Valid();
        body.Remove(field);
        using var client = api.Anonymous();

        using var response = await client.PostAsJsonAsync("/api/users", body);

        await response.AssertInvalidFieldAsync(field);
    }

    // Each test class has a database of its own, so these short names are free here.
    public static TheoryData<string, JsonNode?> Boundaries() => new()
    {
        { "username", "a.b" },
        { "username", "A-" + Guid.NewGuid().ToString("N") + "_" + new string('z', 15) },
        { "password", "8 chars!" },
        { "password", new string('p', 128) },
        { "full_name", null },
        { "full_name", new string('f', 100) },
        { "email", "first.last+tag@sub.example.co.uk" },
    };

    [Theory]
    [MemberData(nameof(Boundaries))]
    public async Task Values_at_the_edges_of_the_rules_are_accepted(string field, JsonNode? value)
    {
        var body = Valid();
        body[field] = value?.DeepClone();
        using var client = api.Anonymous();

        using var response = await client.PostAsJsonAsync("/api/users", body);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
