using System.Net;

namespace Store.AuditLog.Tests;

/// <summary>GET /api/audit: admins only, filters, newest first, paged.</summary>
public sealed class QueryTests(AuditApi api) : IClassFixture<AuditApi>
{
    [Fact]
    public async Task Anonymous_callers_get_401_and_users_403()
    {
        using var anonymous = api.Anonymous();
        using var user = api.AsUser();
        using var admin = api.AsAdmin();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/api/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/audit")).StatusCode);
    }

    [Fact]
    public async Task Filters_select_entries_newest_first_and_pages_carry_the_total()
    {
        var actor = AuditApi.NewActorId();
        var start = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        await using (var db = api.OpenDb())
        {
            for (var i = 0; i < 5; i++)
            {
                db.Entries.Add(new Data.AuditEntry
                {
                    EventId = Guid.NewGuid(), EventType = i % 2 == 0 ? "ItemCreated" : "ItemDeleted", ActorId = actor,
                    Action = i % 2 == 0 ? "created" : "deleted", ResourceType = "item", ResourceId = $"{actor}-{i}",
                    Data = "{}", OccurredAt = start.AddMinutes(i), RecordedAt = start.AddMinutes(i),
                    CorrelationId = $"req-{actor}-{i % 2}",
                });
            }
            await db.SaveChangesAsync();
        }
        using var admin = api.AsAdmin();

        using var all = await admin.GetAsync($"/api/audit?actor_id={actor}&limit=2&skip=1");
        Assert.Equal("5", all.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal([$"{actor}-3", $"{actor}-2"], AuditApi.Read(await all.Content.ReadAsStringAsync()).Select(e => e.ResourceId));

        using var created = await admin.GetAsync($"/api/audit?actor_id={actor}&event_type=ItemCreated");
        Assert.Equal([$"{actor}-4", $"{actor}-2", $"{actor}-0"], AuditApi.Read(await created.Content.ReadAsStringAsync()).Select(e => e.ResourceId));

        using var resource = await admin.GetAsync($"/api/audit?resource_type=item&resource_id={actor}-1");
        Assert.Equal([$"{actor}-1"], AuditApi.Read(await resource.Content.ReadAsStringAsync()).Select(e => e.ResourceId));

        using var window = await admin.GetAsync($"/api/audit?actor_id={actor}&since=2026-01-01T12:01:00Z&until=2026-01-01T12:03:00Z");
        Assert.Equal([$"{actor}-2", $"{actor}-1"], AuditApi.Read(await window.Content.ReadAsStringAsync()).Select(e => e.ResourceId));

        using var request = await admin.GetAsync($"/api/audit?correlation_id=req-{actor}-1");
        Assert.Equal([$"{actor}-3", $"{actor}-1"], AuditApi.Read(await request.Content.ReadAsStringAsync()).Select(e => e.ResourceId));
    }

    [Fact]
    public async Task A_page_holds_10_entries_unless_limit_says_otherwise_up_to_100()
    {
        var actor = AuditApi.NewActorId();
        await using (var db = api.OpenDb())
        {
            for (var i = 0; i < 12; i++)
            {
                db.Entries.Add(new Data.AuditEntry
                {
                    EventId = Guid.NewGuid(), EventType = "ItemCreated", ActorId = actor, Action = "created",
                    ResourceType = "item", ResourceId = $"{actor}-{i}", Data = "{}",
                    OccurredAt = DateTimeOffset.UtcNow, RecordedAt = DateTimeOffset.UtcNow,
                });
            }
            await db.SaveChangesAsync();
        }
        using var admin = api.AsAdmin();

        using var first = await admin.GetAsync($"/api/audit?actor_id={actor}");
        Assert.Equal("12", first.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(10, AuditApi.Read(await first.Content.ReadAsStringAsync()).Length);
        using var widest = await admin.GetAsync($"/api/audit?actor_id={actor}&limit=100");
        Assert.Equal(12, AuditApi.Read(await widest.Content.ReadAsStringAsync()).Length);
    }

    [Theory]
    [InlineData("since=yesterday", HttpStatusCode.BadRequest)]
    [InlineData("actor_id=abc", HttpStatusCode.BadRequest)]
    [InlineData("limit=0", HttpStatusCode.UnprocessableEntity)]
    [InlineData("limit=101", HttpStatusCode.UnprocessableEntity)]
    [InlineData("skip=-1", HttpStatusCode.UnprocessableEntity)]
    [InlineData("since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", HttpStatusCode.UnprocessableEntity)]
    public async Task Bad_filter_values_are_a_problem_not_a_500(string query, HttpStatusCode expected)
    {
        using var admin = api.AsAdmin();

        using var response = await admin.GetAsync($"/api/audit?{query}");

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
