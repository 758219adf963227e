using Store.Notifications.Data;
using Store.Testing;

namespace Store.Notifications.Tests;

/// <summary>infra/replay-errors.sh moves what is in notifications_error back to notifications (a vhost of its own, so only this test's message is there).</summary>
public sealed class ReplayTests(NotificationsWithSmtpDown api) : IClassFixture<NotificationsWithSmtpDown>
{
    [Fact]
    public async Task The_replay_script_moves_a_failed_message_back_and_it_is_tried_again()
    {
        _ = api.Services;
        await using var publisher = await EventPublisher.StartAsync(api.Vhost.Name);
        var userId = NotificationsWithSmtpDown.NewUserId();
        var order = NotificationsWithSmtpDown.OrderPlaced(userId, $"replayed-{userId}@example.com");
        await publisher.PublishAsync(order, order.EventId);
        await api.WaitForNotificationsAsync(userId);
        await Eventually.GetAsync(() => api.Vhost.CountMessagesAsync("notifications_error"), n => n == 1,
            TimeSpan.FromSeconds(30), "the message in notifications_error");

        var (exitCode, output) = await ReplayAsync("notifications");

        Assert.True(exitCode == 0, output);
        // Still no SMTP server: the replayed message is tried RetryLimit + 1 more times and fails again.
        var row = await Eventually.GetAsync(async () => (await api.NotificationsOfAsync(userId)).Single(),
            n => n.Attempts == 2 * (1 + NotificationsFactory.RetryLimit) && n.Status == Notification.Failed,
            TimeSpan.FromSeconds(30), "the second round of attempts");
        Assert.Null(row.SentAt);
    }

    private async Task<(int ExitCode, string Output)> ReplayAsync(string queue)
    {
        var root = ServiceProcess.RepositoryRoot();
        var start = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(root, "infra", "replay-errors.sh"), queue])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        start.Environment["VHOST"] = api.Vhost.Name;
        start.Environment["RABBITMQ_MANAGEMENT_URL"] = $"http://{TestServers.RabbitHost}:{TestServers.RabbitManagementPort}";
        start.Environment["RABBITMQ_USER"] = TestServers.RabbitUser;
        start.Environment["RABBITMQ_PASSWORD"] = TestServers.RabbitPassword;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
