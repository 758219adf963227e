using Microsoft.EntityFrameworkCore;

namespace Store.Notifications.Data;

/// <summary>The notification service's own database: notifications, users' e-mail choices, and the inbox.</summary>
public sealed class NotificationsDb(DbContextOptions<NotificationsDb> options) : DbContext(options)
{
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<UserPreference> UserPreferences => Set<UserPreference>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Notification>(notification =>
        {
            notification.Property(n => n.Channel).HasMaxLength(20);
            notification.Property(n => n.Recipient).HasMaxLength(320);
            notification.Property(n => n.Subject).HasMaxLength(200);
            notification.Property(n => n.Status).HasMaxLength(20);
            notification.Property(n => n.LastError).HasMaxLength(1000);
            notification.Property(n => n.CorrelationId).HasMaxLength(128);
            notification.HasIndex(n => n.EventId).IsUnique();
            // A user's notifications, newest first (/me and the admin's user_id filter); the
            // unfiltered admin list walks the primary key backwards.
            notification.HasIndex(n => new { n.UserId, n.Id }).IsDescending(false, true);
            // One request's notifications (the admin's correlation_id filter, the operator's page).
            notification.HasIndex(n => new { n.CorrelationId, n.Id }).IsDescending(false, true);
        });

        modelBuilder.Entity<UserPreference>(preference => preference.HasKey(p => p.UserId));

    }
}
