using Microsoft.EntityFrameworkCore;

namespace Store.Testing;

/// <summary>
/// A table's counters from <c>pg_stat_user_tables</c>: rows inserted and updated, and rows read by
/// sequential scans. Sessions report them within seconds of their statements, so they are read once
/// at least the rows a test wrote are counted.
/// </summary>
public sealed record TableStatistics(long Inserted, long Updated, long SeqTupRead)
{
    public static Task<TableStatistics> ReportedAsync(DbContext db, string table, long inserted, long updated) =>
        Eventually.GetAsync(
            () => db.Database.SqlQuery<TableStatistics>($"""
                SELECT n_tup_ins AS inserted, n_tup_upd AS updated, seq_tup_read
                FROM pg_stat_user_tables WHERE relname = {table}
                """).SingleAsync(),
            s => s.Inserted >= inserted && s.Updated >= updated,
            TimeSpan.FromSeconds(30), $"statistics of {table} counting {inserted} rows inserted and {updated} updated");

    /// <summary>Makes this session report what it wrote when its statement ends, rather than up to seconds later.</summary>
    public static Task ReportNowAsync(DbContext db) => db.Database.ExecuteSqlRawAsync("SELECT pg_stat_force_next_flush()");
}
