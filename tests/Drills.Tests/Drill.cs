using System.Globalization;
using System.Net;
using Store.Testing;

namespace Store.Drills.Tests;

/// <summary>
/// One failure drill: a steady purchase load through the gateway, a disruption in the middle of it,
/// and then the checks every drill shares. No purchase may be answered 500, and none may fail
/// outside the outage (before it, or once a purchase succeeded again after it); every order must
/// have exactly one audit row, one sent notification and its e-mail; and the time from the start of
/// the outage to the first successful purchase, and to the consumers having caught up with every
/// order placed until the restart, goes into the test report.
/// </summary>
public sealed class Drill(DrillEnvironment environment, string name)
{
    /// <summary>Answers that say "the service is briefly away" rather than "the service is broken".</summary>
    private static readonly HashSet<HttpStatusCode> OutageAnswers =
        [0, HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout];

    /// <summary>
    /// How long the consumers get to work off the backlog once the load has stopped: seen up to 72 s on a
    /// busy 2-core machine, plus a stuck consumer's restart (its liveness fails after 10 s, and the
    /// probe restarts it 30 s later).
    /// </summary>
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(180);

    /// <summary>How long the load goes on once purchases succeed again, to show they keep succeeding.</summary>
    private static readonly TimeSpan AfterRecovery = TimeSpan.FromSeconds(4);

    /// <summary>E-mails a drill may send twice: see <see cref="RunAsync"/>.</summary>
    public int ToleratedDuplicateEmails { get; init; }

    private int DuplicateEmails { get; set; }

    /// <summary>The consumers whose liveness probe failed during the drill, and how often one was restarted for it.</summary>
    private string LivenessReport()
    {
        var failed = environment.Consumers.Where(c => c.Failed).Select(c => c.Restarts > 0 ? $"{c.Name} (restarted {c.Restarts}x)" : c.Name).ToList();
        return failed.Count == 0 ? "liveness never failed" : $"liveness failed: {string.Join(", ", failed)}";
    }

    /// <summary>
    /// Runs the load, calls <paramref name="disrupt"/> (which returns once what it broke is started
    /// again) after some purchases went through, and checks the outcome.
    /// <see cref="ToleratedDuplicateEmails"/> is for a drill that kills the notification service or
    /// its database: an e-mail the SMTP server accepted just before, whose "sent" had not committed
    /// yet, is sent again on redelivery (the documented window; its Message-ID is the same).
    /// </summary>
    public async Task RunAsync(Func<PurchaseLoad, Task> disrupt)
    {
        foreach (var consumer in environment.Consumers)
            consumer.Reset();
        var itemId = await environment.CreateItemAsync($"Drill {name} {Suite.Unique("")}");
        var load = new PurchaseLoad(environment, itemId);
        TimeSpan outageStart, restarted, recovered, caughtUp;
        try
        {
            await load.WaitForSuccessesAsync(20, TimeSpan.Zero, TimeSpan.FromSeconds(60), "the load to run");
            outageStart = load.Now;
            await disrupt(load);
            restarted = load.Now;
            var catchingUp = CatchUpAsync(load);
            recovered = (await load.WaitForSuccessesAsync(1, restarted, TimeSpan.FromSeconds(60), "a purchase after the restart")).Answered;
            await Task.Delay(AfterRecovery);
            // The consumers catch up without the load competing for the machine: what is measured is
            // that they get there, not how they keep pace with a load on the same two cores.
            await load.StopAsync();
            caughtUp = await catchingUp;
        }
        finally
        {
            await load.DisposeAsync();
        }

        var attempts = load.Attempts;
        var broken = attempts.Where(a => !a.Succeeded && !OutageAnswers.Contains(a.Status)).ToList();
        Assert.True(broken.Count == 0, $"{broken.Count} purchase(s) answered {Describe(broken)}, which is no outage answer.");
        var outside = attempts.Where(a => !a.Succeeded && (a.Answered < outageStart || a.Sent > recovered)).ToList();
        Assert.True(outside.Count == 0, $"{outside.Count} purchase(s) failed outside the outage: {Describe(outside)}.");

        var ledger = await Eventually.GetAsync(() => Ledger.ReadAsync(environment), l => l.CaughtUp, CatchUpTimeout,
            "every order's audit row, notification and e-mail");
        var checkedEvents = await AssertExactlyOnceAsync(ledger, itemId);

        var refused = attempts.Count(a => !a.Succeeded);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"drill {name}: {attempts.Count - refused} purchases ({refused} refused during the outage), " +
            $"{checkedEvents} events checked ({DuplicateEmails} e-mails sent twice), outage {(restarted - outageStart).TotalSeconds:0.0} s, " +
            $"recovered in {(recovered - outageStart).TotalSeconds:0.0} s (first purchase), " +
            $"{(caughtUp - outageStart).TotalSeconds:0.0} s (consumers caught up); {LivenessReport()}");
        TestReport.Add(line);
    }

    /// <summary>
    /// Waits until both consumers have handled every order placed until now (while the load goes on)
    /// and returns when that was on the load's clock; fails with the counts and the consumers' output
    /// when they do not get there.
    /// </summary>
    private async Task<TimeSpan> CatchUpAsync(PurchaseLoad load)
    {
        var deadline = load.Now + CatchUpTimeout;
        var (placed, _, _) = await Ledger.CountAsync(environment);
        while (true)
        {
            var (_, audited, notified) = await Ledger.CountAsync(environment);
            if (audited >= placed && notified >= placed)
                return load.Now;
            foreach (var consumer in environment.Consumers)
                await consumer.ProbeAsync();
            if (load.Now > deadline)
            {
                var suite = environment.Suite;
                Assert.Fail($"The consumers did not catch up with {placed} orders within {CatchUpTimeout.TotalSeconds} s: " +
                    $"{audited} audited, {notified} notified; queues: audit-log {await suite.Vhost.CountMessagesAsync("audit-log")}, " +
                    $"notifications {await suite.Vhost.CountMessagesAsync("notifications")}.\n" +
                    $"notifications' output:\n{suite.Notifications.RecentOutput}\naudit-log's output:\n{suite.AuditLog.RecentOutput}");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>Checks that every order's event was handled once everywhere; returns how many orders this drill made.</summary>
    private async Task<int> AssertExactlyOnceAsync(Ledger ledger, int itemId)
    {
        var orders = ledger.Orders.ToHashSet();
        Assert.Equal(ledger.Orders.Count, orders.Count);
        // Audit: one row per event, as many as orders.
        Assert.Equal(ledger.AuditedEvents.Count, ledger.AuditedEvents.Distinct().Count());
        Assert.Equal(orders.Count, ledger.AuditedEvents.Count);
        // Notifications: one row per event, the same events as the audit log, one per order, all sent.
        Assert.Equal(ledger.Notifications.Count, ledger.Notifications.Select(n => n.EventId).Distinct().Count());
        Assert.Equal(ledger.AuditedEvents.ToHashSet(), ledger.Notifications.Select(n => n.EventId).ToHashSet());
        Assert.Equal(orders, ledger.Notifications.Select(n => n.OrderId).ToHashSet());
        Assert.All(ledger.Notifications, n => Assert.Equal("sent", n.Status));
        // E-mails: every order's, each under its own Message-ID; twice only where a kill allows it.
        Assert.Equal(orders, ledger.Emails.Select(e => e.OrderId).ToHashSet());
        Assert.Equal(orders.Count, ledger.Emails.Select(e => e.MessageId).Distinct().Count());
        var drillOrders = (await Ledger.OrdersOfAsync(environment, itemId)).ToHashSet();
        var duplicates = ledger.Emails.Count(e => drillOrders.Contains(e.OrderId)) - drillOrders.Count;
        Assert.True(duplicates <= ToleratedDuplicateEmails,
            $"{duplicates} e-mail(s) of this drill's orders were sent twice (tolerated: {ToleratedDuplicateEmails}).");
        DuplicateEmails = duplicates;
        return drillOrders.Count;
    }

    private static string Describe(IEnumerable<Attempt> attempts) =>
        string.Join(", ", attempts.GroupBy(a => a.Status).Select(g => $"{(int)g.Key} x{g.Count()}"));
}
