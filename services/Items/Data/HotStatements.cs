using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Store.Messaging;

namespace Store.Items.Data;

/// <summary>
/// The service's hottest statements, purchases and creates, are sent as plain Npgsql commands
/// on the context's connection rather than through <c>FromSql</c>: EF Core's query pipeline around
/// them (cache key, parameters, materializer) cost about a sixth of the service's CPU per purchase
/// (docs/benchmarks.md). Positional parameters go to PostgreSQL as they are, and the connection's
/// automatic preparation (Database.cs) prepares each statement once per connection.
/// </summary>
internal static class HotStatements
{
    /// <summary>
    /// Whether <paramref name="failure"/> proves that a statement (committed on its own) took no
    /// effect, so that running it again cannot do its work twice: the server refused it with an
    /// error. Not a broken connection, which may have lost the answer to a commit, nor a FATAL or
    /// PANIC report (a shutdown), which the server may send after the commit.
    /// </summary>
    public static bool TookNoEffect(Exception failure) => failure is PostgresException { InvariantSeverity: "ERROR" };

    /// <summary>
    /// Runs <paramref name="sql"/>, one statement committed on its own that inserts outbox rows, and
    /// reads every row it returns. EF Core's outbox interceptor does not see a command sent past it,
    /// so this signals the relay itself once the statement has committed and returned rows.
    /// </summary>
    public static async Task<List<T>> QueryAsync<T>(
        ItemsDb db, OutboxSignal<ItemsDb> outbox, string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read,
        CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand(sql, (NpgsqlConnection)db.Database.GetDbConnection());
            command.Parameters.AddRange(parameters);
            var rows = new List<T>();
            // A statement with RETURNING is committed once its reader is done.
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                    rows.Add(read(reader));
            }
            if (rows.Count > 0)
                outbox.Notify();
            return rows;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>As <see cref="QueryAsync"/>, for a statement that returns one row or none: that row, or null.</summary>
    public static async Task<T?> QueryFirstAsync<T>(
        ItemsDb db, OutboxSignal<ItemsDb> outbox, string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read,
        CancellationToken cancellationToken)
        where T : class =>
        (await QueryAsync(db, outbox, sql, parameters, read, cancellationToken)).FirstOrDefault();

    public static NpgsqlParameter Value<T>(T value) => new NpgsqlParameter<T> { TypedValue = value };

    /// <summary>A parameter that may be null: its type is named, since a null value has none.</summary>
    public static NpgsqlParameter Nullable(object? value, NpgsqlDbType type) => new() { NpgsqlDbType = type, Value = value ?? DBNull.Value };
}
