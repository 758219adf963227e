using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Store.Messaging;

/// <summary>
/// Notices the commands of <typeparamref name="TDb"/> that insert outbox rows (SaveChanges with
/// <see cref="Outbox.AddToOutbox"/> or a statement of the service's own) and signals the relay once
/// they are committed: when the transaction commits, or, for a statement outside a transaction
/// (committed on its own), once it has completed (for a reader, when it is closed: a statement with
/// RETURNING is committed only after its last row).
/// </summary>
internal sealed class OutboxCommitInterceptor<TDb>(OutboxSignal<TDb> signal) : DbCommandInterceptor, IDbTransactionInterceptor
    where TDb : DbContext
{
    private const string OutboxInsert = "INSERT INTO " + Outbox.Table;

    // Contexts with outbox rows written but not yet committed (pooled contexts are reused: entries are removed at commit or rollback).
    private readonly ConditionalWeakTable<DbContext, object> _pending = [];

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        TrackTransaction(command, eventData.Context);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        TrackTransaction(command, eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        SignalIfCommitted(command);
        return result;
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        TrackTransaction(command, eventData.Context);
        SignalIfCommitted(command);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        TrackTransaction(command, eventData.Context);
        SignalIfCommitted(command);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Signal(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Signal(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private static bool InsertsOutboxRows(DbCommand command) => command.CommandText.Contains(OutboxInsert, StringComparison.Ordinal);

    /// <summary>Inside a transaction, the rows count once it commits.</summary>
    private void TrackTransaction(DbCommand command, DbContext? context)
    {
        if (context is TDb && command.Transaction is not null && InsertsOutboxRows(command))
            _pending.AddOrUpdate(context, this);
    }

    /// <summary>Outside a transaction, the statement committed on its own.</summary>
    private void SignalIfCommitted(DbCommand command)
    {
        if (command.Transaction is null && InsertsOutboxRows(command))
            signal.Notify();
    }

    private void Signal(DbContext? context)
    {
        if (context is not null && _pending.Remove(context))
            signal.Notify();
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
            _pending.Remove(context);
    }
}
