using Microsoft.EntityFrameworkCore;
using Npgsql;
using Store.Messaging;

namespace Store.Users.Data;

/// <summary>The users service's own database: accounts, their roles and settings.</summary>
public sealed class UsersDb(DbContextOptions<UsersDb> options) : DbContext(options)
{
    public const string UniqueUsername = "ux_users_normalized_username";
    public const string UniqueEmail = "ux_users_normalized_email";

    public DbSet<User> Users => Set<User>();

    /// <summary>
    /// The field a failed save collided on ("username" or "email"), read from the unique index the
    /// database reported; null when the failure was something else.
    /// </summary>
    public static string? TakenField(DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } violation
            ? violation.ConstraintName switch
            {
                UniqueUsername => "username",
                UniqueEmail => "email",
                _ => null,
            }
            : null;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(user =>
        {
            // Ids come from a sequence in blocks (hi-lo), so a new account's id is known as soon as
            // it is added, before it is saved: an event naming it can be saved in the same SaveChanges.
            user.Property(u => u.Id).UseHiLo("user_ids");
            user.Property(u => u.Username).HasMaxLength(50);
            user.Property(u => u.Email).HasMaxLength(254);
            user.Property(u => u.FullName).HasMaxLength(100);
            user.Property(u => u.Role).HasMaxLength(10).HasConversion(
                role => role == UserRole.Admin ? "admin" : "user",
                stored => stored == "admin" ? UserRole.Admin : UserRole.User);
            user.ToTable(table => table.HasCheckConstraint("ck_users_role", "role IN ('user', 'admin')"));

            // Uniqueness ignores case and is the database's to enforce: two registrations of one
            // name racing each other cannot both commit, whatever the application checked first.
            user.Property(u => u.NormalizedUsername).HasMaxLength(50).HasComputedColumnSql("lower(username)", stored: true);
            user.Property(u => u.NormalizedEmail).HasMaxLength(254).HasComputedColumnSql("lower(email)", stored: true);
            user.HasIndex(u => u.NormalizedUsername).IsUnique().HasDatabaseName(UniqueUsername);
            user.HasIndex(u => u.NormalizedEmail).IsUnique().HasDatabaseName(UniqueEmail);
        });

        modelBuilder.AddOutbox();
    }
}
