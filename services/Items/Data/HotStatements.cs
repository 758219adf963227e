using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Store.Messaging;
using Store.ServiceDefaults;

namespace Store.Items.Data;

/// <summary>
/// The service's hottest statements, purchases and creates, are sent as plain Npgsql commands
/// rather than through <c>FromSql</c>: EF Core's query pipeline around them (cache key, parameters,
/// materializer) cost about a sixth of the service's CPU per purchase (docs/benchmarks.md).
/// Positional parameters go to PostgreSQL as they are, and the connection's automatic preparation
/// (Database.cs) prepares each statement once per connection. Batches run on the batches' own
/// connections (<see cref="BatchConnections{TDb}"/>), a purchase alone on its request's context.
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
    /// Runs <paramref name="sql"/>, one statement committed on its own that inserts outbox rows, on
    /// <paramref name="connection"/> (open), and reads every row it returns. EF Core's outbox
    /// interceptor does not see a command sent past it, so this signals the relay itself once the
    /// statement has committed and returned rows.
    /// </summary>
    public static async Task<List<T>> QueryAsync<T>(
        NpgsqlConnection connection, OutboxSignal<ItemsDb> outbox, string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
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

    /// <summary>
    /// As <see cref="QueryAsync"/>, on the context's connection, for a statement that returns one
    /// row or none: that row, or null.
    /// </summary>
    public static async Task<T?> QueryFirstAsync<T>(
        ItemsDb db, OutboxSignal<ItemsDb> outbox, string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read,
        CancellationToken cancellationToken)
        where T : class
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            return (await QueryAsync(connection, outbox, sql, parameters, read, cancellationToken)).FirstOrDefault();
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
