using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;

namespace Store.Messaging;

/// <summary>
/// Wakes the relay of <typeparamref name="TDb"/> when this process commits outbox rows, so an event
/// does not wait for the next poll. Every commit counts; the relay notes the count before it claims
/// and waits only while nothing was committed since, so commits that arrive while it is busy
/// collapse into one more claim, and a commit whose row a claim already took wakes no empty one.
/// EF Core's commands signal it by themselves (<see cref="OutboxCommitInterceptor{TDb}"/>); a
/// statement sent past EF Core (a plain Npgsql command on a hot path) calls <see cref="Notify"/>
/// once it has committed.
/// </summary>
public sealed class OutboxSignal<TDb>
    where TDb : DbContext
{
    private readonly Channel<bool> _wakeUps = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _commits;

    /// <summary>How many commits with outbox rows this process has made.</summary>
    internal long Commits => Interlocked.Read(ref _commits);

    /// <summary>Outbox rows were committed: the relay looks (at once, or after the claim or mark in progress).</summary>
    public void Notify()
    {
        Interlocked.Increment(ref _commits);
        _wakeUps.Writer.TryWrite(true);
    }

    /// <summary>Waits until a commit after the <paramref name="seen"/>-th, or for <paramref name="timeout"/>, whichever comes first.</summary>
    internal async Task WaitAsync(long seen, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            // A wake-up left from a commit the last claim already covered does not count.
            while (Commits == seen)
                await _wakeUps.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll interval passed without a commit: look anyway.
        }
    }
}
