using Microsoft.EntityFrameworkCore;

namespace Store.AuditLog.Data;

/// <summary>The audit-log service's own database: the audit entries and the inbox of handled messages.</summary>
public sealed class AuditDb(DbContextOptions<AuditDb> options) : DbContext(options)
{
    public DbSet<AuditEntry> Entries => Set<AuditEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AuditEntry>(entry =>
        {
            entry.ToTable("audit_entries");
            entry.Property(e => e.EventType).HasMaxLength(100);
            entry.Property(e => e.ActorName).HasMaxLength(100);
            entry.Property(e => e.Action).HasMaxLength(50);
            entry.Property(e => e.ResourceType).HasMaxLength(50);
            entry.Property(e => e.ResourceId).HasMaxLength(100);
            entry.Property(e => e.CorrelationId).HasMaxLength(128);
            entry.Property(e => e.Data).HasColumnType("jsonb");

            entry.HasIndex(e => e.EventId).IsUnique();
            // The list is ordered newest first (occurred_at DESC, id DESC). Each filter has an index
            // that starts with its column(s) and goes on in that order, so a filtered page is read
            // off the index without sorting; since/until are ranges on the trailing occurred_at.
            entry.HasIndex(e => new { e.OccurredAt, e.Id }).IsDescending(true, true)
                .HasDatabaseName("ix_audit_entries_occurred_at");
            entry.HasIndex(e => new { e.EventType, e.OccurredAt, e.Id }).IsDescending(false, true, true)
                .HasDatabaseName("ix_audit_entries_event_type_occurred_at");
            entry.HasIndex(e => new { e.ActorId, e.OccurredAt, e.Id }).IsDescending(false, true, true)
                .HasDatabaseName("ix_audit_entries_actor_id_occurred_at");
            entry.HasIndex(e => new { e.ResourceType, e.ResourceId, e.OccurredAt, e.Id }).IsDescending(false, false, true, true)
                .HasDatabaseName("ix_audit_entries_resource_occurred_at");
            entry.HasIndex(e => new { e.CorrelationId, e.OccurredAt, e.Id }).IsDescending(false, true, true)
                .HasDatabaseName("ix_audit_entries_correlation_id_occurred_at");
        });

    }
}
