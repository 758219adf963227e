using System.Net;
using Store.Notifications.Data;

namespace Store.Notifications.Tests;

/// <summary>GET /api/notifications/me (the caller's own) and GET /api/notifications (admin).</summary>
public sealed class QueryTests(NotificationsApi api) : IClassFixture<NotificationsApi>
{
    [Theory]
    [InlineData("/api/notifications/me", HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.OK)]
    [InlineData("/api/notifications", HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.OK)]
    public async Task Roles_decide_who_reads_which_list(string path, HttpStatusCode anonymous, HttpStatusCode user, HttpStatusCode admin)
    {
        using var anonymousClient = api.Anonymous();
        using var userClient = api.AsUser();
        using var adminClient = api.AsAdmin();

        Assert.Equal(anonymous, (await anonymousClient.GetAsync(path)).StatusCode);
        Assert.Equal(user, (await userClient.GetAsync(path)).StatusCode);
        Assert.Equal(admin, (await adminClient.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Each_user_sees_only_their_own_and_the_admin_filters_by_user()
    {
        var alice = NotificationsApi.NewUserId();
        var bob = NotificationsApi.NewUserId();
        await SeedAsync(alice, 3);
        await SeedAsync(bob, 2);
        using var aliceClient = api.AsUser(alice, "alice");
        using var bobClient = api.AsUser(bob, "bob");
        using var admin = api.AsAdmin();

        using var mine = await aliceClient.GetAsync("/api/notifications/me?limit=2");
        Assert.Equal("3", mine.Headers.GetValues("X-Total-Count").Single());
        var page = NotificationsApi.Read(await mine.Content.ReadAsStringAsync());
        Assert.Equal([$"{alice}-2", $"{alice}-1"], page.Select(n => n.Subject));

        using var bobs = await bobClient.GetAsync("/api/notifications/me");
        Assert.All(NotificationsApi.Read(await bobs.Content.ReadAsStringAsync()), n => Assert.Equal(bob, n.UserId));
        Assert.Equal("2", bobs.Headers.GetValues("X-Total-Count").Single());

        using var filtered = await admin.GetAsync($"/api/notifications?user_id={alice}&skip=2");
        Assert.Equal("3", filtered.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal([$"{alice}-0"], NotificationsApi.Read(await filtered.Content.ReadAsStringAsync()).Select(n => n.Subject));

        using var request = await admin.GetAsync($"/api/notifications?correlation_id=req-{alice}-0");
        Assert.Equal([$"{alice}-2", $"{alice}-0"], NotificationsApi.Read(await request.Content.ReadAsStringAsync()).Select(n => n.Subject));
    }

    [Fact]
    public async Task A_page_holds_10_notifications_unless_limit_says_otherwise()
    {
        var carol = NotificationsApi.NewUserId();
        await SeedAsync(carol, 12);
        using var carolClient = api.AsUser(carol, "carol");

        using var first = await carolClient.GetAsync("/api/notifications/me");
        Assert.Equal("12", first.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(10, NotificationsApi.Read(await first.Content.ReadAsStringAsync()).Length);
        using var widest = await carolClient.GetAsync("/api/notifications/me?limit=100");
        Assert.Equal(12, NotificationsApi.Read(await widest.Content.ReadAsStringAsync()).Length);
    }

    [Theory]
    [InlineData("/api/notifications?user_id=abc", HttpStatusCode.BadRequest)]
    [InlineData("/api/notifications?limit=0", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/api/notifications?limit=101", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/api/notifications?user_id=0", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/api/notifications/me?skip=-1", HttpStatusCode.UnprocessableEntity)]
    public async Task Bad_query_values_are_a_problem_not_a_500(string path, HttpStatusCode expected)
    {
        using var admin = api.AsAdmin();

        using var response = await admin.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/docs/index.html")]
    [InlineData("/swagger/v1/swagger.json")]
    public async Task Health_and_api_docs_answer(string path)
    {
        using var client = api.Anonymous();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task SeedAsync(int userId, int count)
    {
        await using var db = api.OpenDb();
        for (var i = 0; i < count; i++)
        {
            db.Notifications.Add(new Notification
            {
                EventId = Guid.NewGuid(), UserId = userId, Channel = Notification.Email, Recipient = $"{userId}@example.com",
                Subject = $"{userId}-{i}", Body = "hello", Status = Notification.Sent, Attempts = 1,
                CreatedAt = DateTimeOffset.UtcNow, SentAt = DateTimeOffset.UtcNow, CorrelationId = $"req-{userId}-{i % 2}",
            });
            await db.SaveChangesAsync();
        }
    }
}
