using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Store.Messaging;

namespace Store.Items.Data;

/// <summary>
/// The service's two hottest statements, a purchase and a create, are sent as plain Npgsql commands
/// on the context's connection rather than through <c>FromSql</c>: EF Core's query pipeline around
/// them (cache key, parameters, materializer) cost about a sixth of the service's CPU per purchase
/// (docs/benchmarks.md). Positional parameters go to PostgreSQL as they are, and the connection's
/// automatic preparation (Database.cs) prepares each statement once per connection.
/// </summary>
internal static class HotStatements
{
    /// <summary>
    /// Runs <paramref name="sql"/>, one statement committed on its own that inserts outbox rows, and
    /// reads its first row (null when it returned none). EF Core's outbox interceptor does not see a
    /// command sent past it, so this signals the relay itself once the statement has committed.
    /// </summary>
    public static async Task<T?> QueryFirstAsync<T>(
        ItemsDb db, OutboxSignal<ItemsDb> outbox, string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read,
        CancellationToken cancellationToken)
        where T : class
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand(sql, (NpgsqlConnection)db.Database.GetDbConnection());
            command.Parameters.AddRange(parameters);
            T? row = null;
            // A statement with RETURNING is committed once its reader is done.
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                    row = read(reader);
            }
            if (row is not null)
                outbox.Notify();
            return row;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public static NpgsqlParameter Value<T>(T value) => new NpgsqlParameter<T> { TypedValue = value };

    /// <summary>A parameter that may be null: its type is named, since a null value has none.</summary>
    public static NpgsqlParameter Nullable(object? value, NpgsqlDbType type) => new() { NpgsqlDbType = type, Value = value ?? DBNull.Value };
}
