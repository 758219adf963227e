using MassTransit;
using Microsoft.EntityFrameworkCore;
using Store.Contracts;
using Store.Notifications.Data;

namespace Store.Notifications.Delivery;

/// <summary>Keeps each user's e-mail choice as the last UserSettingsChanged said (a consumer of its own: only it needs the database context).</summary>
public sealed class PreferenceConsumer(NotificationsDb db) : IConsumer<UserSettingsChanged>
{
    /// <summary>
    /// Keeps the newest choice: an older event arriving late changes nothing, and the same event
    /// delivered again writes the same values, so no record of handled messages is needed.
    /// </summary>
    public async Task Consume(ConsumeContext<UserSettingsChanged> context)
    {
        var settings = context.Message;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO user_preferences (user_id, email_notifications, changed_at)
            VALUES ({settings.UserId}, {settings.EmailNotifications}, {settings.OccurredAt})
            ON CONFLICT (user_id) DO UPDATE
            SET email_notifications = excluded.email_notifications, changed_at = excluded.changed_at
            WHERE user_preferences.changed_at <= excluded.changed_at
            """, context.CancellationToken);
    }
}
