using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Store.Notifications.Delivery;
using Store.Testing;

namespace Store.Notifications.Tests;

/// <summary>
/// The notifications table grows from empty under load. The statements that record a batch must
/// find its rows by their keys however small the table was when they first ran: a generic plan made
/// then read every row of the table for every batch after (Database.cs, sequentialScans).
/// </summary>
public sealed class GrowingTableTests(NotificationsApi api) : IClassFixture<NotificationsApi>
{
    private const int Grown = 30_000;

    [Fact]
    public async Task Batches_recorded_after_the_table_has_grown_read_only_their_own_rows()
    {
        var dispatcher = api.Services.GetRequiredService<NotificationDispatcher>();
        var userId = NotificationsApi.NewUserId();
        // Enough batches, one after another, for every pooled connection to run both statements
        // (the claim and the record of a send) more often than PostgreSQL plans them afresh by default.
        await DispatchAsync(dispatcher, userId, 30);
        await using var db = api.OpenDb();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO notifications (event_id, user_id, channel, subject, body, status, attempts, created_at)
            SELECT gen_random_uuid(), 1, 'email', 'Earlier', 'Earlier', 'sent', 1, now() FROM generate_series(1, {Grown})
            """);
        await TableStatistics.ReportNowAsync(db);
        var before = await TableStatistics.ReportedAsync(db, "notifications", inserted: Grown + 30, updated: 30);

        await DispatchAsync(dispatcher, userId, 10);

        var after = await TableStatistics.ReportedAsync(db, "notifications", inserted: Grown + 40, updated: 40);
        var read = after.SeqTupRead - before.SeqTupRead;
        Assert.True(read < Grown, $"10 batches read {read} rows of a table of {Grown + 40} in sequential scans.");
        Assert.Equal(40, api.Smtp.ReceivedBy($"grown-{userId}@example.com").Count);
    }

    private static async Task DispatchAsync(NotificationDispatcher dispatcher, int userId, int batches)
    {
        for (var i = 0; i < batches; i++)
        {
            await dispatcher.DispatchAsync(
                new NotificationRequest(Guid.NewGuid(), userId, $"grown-{userId}@example.com", "Your order", "Thanks", null, Redelivered: false, LastAttempt: false),
                CancellationToken.None);
        }
    }
}
