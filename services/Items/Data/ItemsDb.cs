using Microsoft.EntityFrameworkCore;
using Store.ServiceDefaults;

namespace Store.Items.Data;

/// <summary>The items service's own database: the catalog.</summary>
public sealed class ItemsDb(DbContextOptions<ItemsDb> options) : DbContext(options)
{
    public DbSet<Item> Items => Set<Item>();

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
            item.HasIndex(i => i.Stock);
        });

        modelBuilder.UseSnakeCaseNames();
    }
}
