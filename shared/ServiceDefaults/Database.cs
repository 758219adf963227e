using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Store.ServiceDefaults;

/// <summary>EF Core on PostgreSQL, one database per service, migrated when the service starts.</summary>
public static class Database
{
    /// <summary>
    /// Registers <typeparamref name="TDb"/> as a pooled context on the connection string
    /// <c>ConnectionStrings:{name}</c>, the batches' own connections to the same database
    /// (<see cref="BatchConnections{TDb}"/>), its readiness check, and a start-up step that applies
    /// its pending migrations before the service takes requests.
    /// </summary>
    /// <param name="builder">The service being built.</param>
    /// <param name="name">The connection string's name, which is also the readiness check's.</param>
    /// <param name="sequentialScans">
    /// False for a service whose statements all find their rows by an index, over tables that grow
    /// from empty under load (the notifications): its sessions plan with <c>enable_seqscan = off</c>.
    /// From a prepared statement's sixth execution PostgreSQL may reuse one generic plan, made for the
    /// tables as they were then, until their next ANALYZE. Made while the table was nearly empty, the
    /// plan of a batch joined by key read the whole table for every batch after: 18 million rows in
    /// two 12-second runs after a fresh start. Without sequential scans the generic plan is the
    /// index's at any size, and is still reused: cheaper than planning every execution
    /// (docs/benchmarks.md, "Plans made for an empty table").
    /// </param>
    public static WebApplicationBuilder AddDatabase<TDb>(this WebApplicationBuilder builder, string name, bool sequentialScans = true)
        where TDb : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(name)
            ?? throw new InvalidOperationException($"ConnectionStrings:{name} is not configured.");
        connectionString = Tune(connectionString, sequentialScans);

        builder.Services.AddDbContextPool<TDb>(options => options.UseStoreDatabase(connectionString));
        builder.Services.AddSingleton(services => new BatchConnections<TDb>(
            new NpgsqlDataSourceBuilder(connectionString).UseLoggerFactory(services.GetRequiredService<ILoggerFactory>()).Build()));
        builder.Services.AddHealthChecks().AddDbContextCheck<TDb>(name, tags: [Health.Ready]);
        builder.Services.AddHostedService<MigrateAtStartup<TDb>>();
        return builder;
    }

    /// <summary>
    /// PostgreSQL through Npgsql, with tables, columns, keys and indexes named in snake_case
    /// (EFCore.NamingConventions), as PostgreSQL users expect. Whatever opens a service's database
    /// (the service, a test) goes through here, so every context sees the same model.
    /// </summary>
    public static TBuilder UseStoreDatabase<TBuilder>(this TBuilder options, string connectionString)
        where TBuilder : DbContextOptionsBuilder
    {
        options.UseNpgsql(connectionString).UseSnakeCaseNamingConvention();
        return options;
    }

    /// <summary>
    /// Prepared statements and no session reset on every pooled reuse: together they halve
    /// PostgreSQL's CPU per request (docs/benchmarks.md). A setting already in the string wins.
    /// </summary>
    private static string Tune(string connectionString, bool sequentialScans)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
            settings.MaxAutoPrepare = 32;
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
            settings.NoResetOnClose = true;
        if (!sequentialScans && settings.Options?.Contains("enable_seqscan", StringComparison.OrdinalIgnoreCase) != true)
            settings.Options = $"{settings.Options} -c enable_seqscan=off".TrimStart();
        return settings.ConnectionString;
    }

    /// <summary>
    /// Now, to the microsecond: PostgreSQL keeps no finer time, so a timestamp returned from a
    /// write equals the one read back later.
    /// </summary>
    public static DateTimeOffset GetUtcNowForDatabase(this TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % (TimeSpan.TicksPerMillisecond / 1000)));
    }

    /// <summary>
    /// Begins an explicit transaction in which SaveChanges creates no savepoints: a failed statement
    /// rolls back the whole transaction anyway, so a savepoint per SaveChanges is only extra round
    /// trips (a purchase is then UPDATE, INSERT, COMMIT).
    /// </summary>
    public static Task<IDbContextTransaction> BeginTransactionWithoutSavepointsAsync(this DbContext db, CancellationToken cancellationToken)
    {
        db.Database.AutoSavepointsEnabled = false;
        return db.Database.BeginTransactionAsync(cancellationToken);
    }

    /// <summary>Hosted services start before Kestrel listens, so no request meets an old schema.</summary>
    private sealed class MigrateAtStartup<TDb>(IServiceProvider services, ILogger<MigrateAtStartup<TDb>> logger) : IHostedService
        where TDb : DbContext
    {
        private static readonly string DbName = typeof(TDb).Name;
        private const long MigrationLock = 0x5354_4f52_454d_4947; // "STOREMIG"

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TDb>();
            if (!await db.Database.GetService<IRelationalDatabaseCreator>().ExistsAsync(cancellationToken))
            {
                // A first start: Migrate creates the database, then applies everything.
                await MigrateAsync(db, cancellationToken);
                return;
            }

            // Instances starting together take turns: the second finds nothing left to apply.
            // The advisory lock belongs to this session and to this database only.
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({MigrationLock})", cancellationToken);
                await MigrateAsync(db, cancellationToken);
            }
            finally
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLock})", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            }
        }

        private async Task MigrateAsync(TDb db, CancellationToken cancellationToken)
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count == 0)
                return;
            if (logger.IsEnabled(LogLevel.Information))
                logger.LogInformation("Applying {Count} migration(s) to {Database}: {Migrations}",
                    pending.Count, DbName, pending);
            await db.Database.MigrateAsync(cancellationToken);
            // Applying migrations builds each one's model and SQL: heap the service never needs
            // again, which the GC would otherwise keep committed for the life of the process (the
            // users service: 46 MB of private memory after a first start instead of 42). Given back
            // once, on the starts that applied something.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
