using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Store.ServiceDefaults;

/// <summary>
/// Connections to <typeparamref name="TDb"/>'s database for the statements a <c>Batcher</c> runs,
/// one batch after another all day long, in a pool of their own (<see cref="Database.AddDatabase"/>
/// registers it, on the same connection string). Npgsql hands a pool's idle connections out in turn,
/// so once a burst of requests had grown the context's pool (the item cache's misses every few
/// seconds: 65 connections, each kept until it has been idle 5 minutes), every batch ran on another
/// server process, cold for it: the items database spent about 200 µs per creation instead of about
/// 110 (docs/benchmarks.md, "A pool of their own for the batches"). Here the batches keep the one or
/// two connections they use at once.
/// </summary>
public sealed class BatchConnections<TDb>(NpgsqlDataSource dataSource) : IDisposable
    where TDb : DbContext
{
    /// <summary>An open connection; disposing it gives it back to this pool.</summary>
    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => dataSource.OpenConnectionAsync(cancellationToken);

    public void Dispose() => dataSource.Dispose();
}
