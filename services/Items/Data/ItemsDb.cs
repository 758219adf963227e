using Microsoft.EntityFrameworkCore;
using Store.Messaging;

namespace Store.Items.Data;

/// <summary>The items service's own database: the catalog, the orders, and the events waiting to be published.</summary>
public sealed class ItemsDb(DbContextOptions<ItemsDb> options) : DbContext(options)
{
    public DbSet<Item> Items => Set<Item>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<IdempotentRequest> IdempotentRequests => Set<IdempotentRequest>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Trigram indexes serve the list's case-insensitive substring search (ILIKE '%term%').
        modelBuilder.HasPostgresExtension("pg_trgm");

        modelBuilder.Entity<Item>(item =>
        {
            item.Property(i => i.Name).HasMaxLength(100);
            item.Property(i => i.Description).HasMaxLength(500);
            item.Property(i => i.Price).HasPrecision(12, 2);
            item.Property(i => i.Tax).HasPrecision(12, 2);
            item.ToTable(table => table.HasCheckConstraint("ck_items_stock_not_negative", "stock >= 0"));

            item.HasIndex(i => i.Name).HasMethod("gin").HasOperators("gin_trgm_ops").HasDatabaseName("ix_items_name_trgm");
            item.HasIndex(i => i.Description).HasMethod("gin").HasOperators("gin_trgm_ops").HasDatabaseName("ix_items_description_trgm");
            item.HasIndex(i => i.Tags).HasMethod("gin");
            // No index on stock, and room on each page: a purchase changes only the stock, so its
            // UPDATE is a HOT update that writes no index entry (docs/benchmarks.md).
            item.HasStorageParameter("fillfactor", 80);
        });

        modelBuilder.Entity<Order>(order =>
        {
            order.Property(o => o.ItemName).HasMaxLength(100);
            order.Property(o => o.UnitPrice).HasPrecision(12, 2);
            order.Property(o => o.Total).HasPrecision(12, 2);
            order.Property(o => o.Status).HasMaxLength(20);
            order.ToTable(table => table.HasCheckConstraint("ck_orders_quantity_positive", "quantity > 0"));
            // A user's orders, newest first.
            order.HasIndex(o => new { o.UserId, o.Id });
        });

        modelBuilder.Entity<IdempotentRequest>(request =>
        {
            request.HasKey(r => new { r.UserId, r.Key });
            request.Property(r => r.Key).HasMaxLength(200);
            request.Property(r => r.Fingerprint).HasMaxLength(100);
            // Expired keys are found by age (Orders/IdempotencyKeyPruner.cs).
            request.HasIndex(r => r.CreatedAt);
        });

        modelBuilder.AddOutbox();
    }
}
