using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Store.Testing;

namespace Store.Drills.Tests;

/// <summary>
/// Every purchase and what became of its OrderPlaced event, read from the databases and the SMTP
/// server: the orders (items), the audit rows, the notification rows, and the e-mails received.
/// </summary>
public sealed partial record Ledger(
    IReadOnlyList<int> Orders,
    IReadOnlyList<Guid> AuditedEvents,
    IReadOnlyList<(Guid EventId, int OrderId, string Status)> Notifications,
    IReadOnlyList<(int OrderId, string? MessageId)> Emails)
{
    public static async Task<Ledger> ReadAsync(DrillEnvironment environment)
    {
        var suite = environment.Suite;
        var orders = await QueryAsync(suite, "items", "SELECT id FROM orders", row => row.GetInt32(0));
        var audited = await QueryAsync(suite, "audit", "SELECT event_id FROM audit_entries WHERE event_type = 'OrderPlaced'", row => row.GetGuid(0));
        var notifications = await QueryAsync(suite, "notifications",
            "SELECT event_id, subject, status FROM notifications WHERE subject LIKE 'Your order #%'",
            row => (row.GetGuid(0), OrderIdOf(row.GetString(1)), row.GetString(2)));
        var emails = environment.Smtp.Received
            .Where(e => e.Subject.StartsWith("Your order #", StringComparison.Ordinal))
            .Select(e => (OrderIdOf(e.Subject), e.MessageId))
            .ToList();
        return new Ledger(orders, audited, notifications, emails);
    }

    /// <summary>The orders of one item.</summary>
    public static Task<List<int>> OrdersOfAsync(DrillEnvironment environment, int itemId) =>
        QueryAsync(environment.Suite, "items",
            $"SELECT id FROM orders WHERE item_id = {itemId.ToString(CultureInfo.InvariantCulture)}", row => row.GetInt32(0));

    /// <summary>How many orders there are, and how many OrderPlaced events each consumer has handled.</summary>
    public static async Task<(int Orders, int Audited, int Notified)> CountAsync(DrillEnvironment environment)
    {
        var suite = environment.Suite;
        var orders = await QueryAsync(suite, "items", "SELECT count(*) FROM orders", row => (int)row.GetInt64(0));
        var audited = await QueryAsync(suite, "audit", "SELECT count(*) FROM audit_entries WHERE event_type = 'OrderPlaced'", row => (int)row.GetInt64(0));
        var notified = await QueryAsync(suite, "notifications",
            "SELECT count(*) FROM notifications WHERE subject LIKE 'Your order #%' AND status = 'sent'", row => (int)row.GetInt64(0));
        return (orders[0], audited[0], notified[0]);
    }

    /// <summary>True when every order so far has its audit row, its sent notification and at least one e-mail.</summary>
    public bool CaughtUp =>
        AuditedEvents.Count >= Orders.Count &&
        Notifications.Count(n => n.Status == "sent") >= Orders.Count &&
        Emails.Select(e => e.OrderId).Distinct().Count() >= Orders.Count;

    public override string ToString() =>
        $"{Orders.Count} orders, {AuditedEvents.Count} audit rows, {Notifications.Count(n => n.Status == "sent")} of " +
        $"{Notifications.Count} notifications sent, {Emails.Count} e-mails";

    private static int OrderIdOf(string subject) =>
        int.Parse(OrderNumber().Match(subject).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Your order #(\d+):")]
    private static partial Regex OrderNumber();

    private static async Task<List<T>> QueryAsync<T>(Suite suite, string database, string sql, Func<NpgsqlDataReader, T> read)
    {
        // Unpooled: a pooled connection would not survive a drill that restarts PostgreSQL.
        var settings = new NpgsqlConnectionStringBuilder(suite.Database(database).ConnectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
            rows.Add(read(reader));
        return rows;
    }
}
