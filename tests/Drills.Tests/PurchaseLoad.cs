using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace Store.Drills.Tests;

/// <summary>One purchase as a client saw it: when it was sent and answered, and the status (0: no answer at all).</summary>
public sealed record Attempt(TimeSpan Sent, TimeSpan Answered, HttpStatusCode Status)
{
    public bool Succeeded => Status == HttpStatusCode.Created;
}

/// <summary>
/// A steady purchase load through the gateway: one client per buyer, each buying one unit of an item
/// again and again with a short pause, until stopped. Every attempt is kept with its timing.
/// </summary>
public sealed class PurchaseLoad : IAsyncDisposable
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Attempt> _attempts = [];
    private readonly Task[] _clients;

    public PurchaseLoad(DrillEnvironment environment, int itemId) =>
        _clients = [.. environment.BuyerTokens.Select(token => Task.Run(() => BuyAsync(environment, token, itemId)))];

    /// <summary>Time since the load started, on the clock every attempt is timed with.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<Attempt> Attempts
    {
        get
        {
            lock (_attempts)
                return [.. _attempts];
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> purchases sent after <paramref name="since"/> have succeeded; returns the first of them.</summary>
    public async Task<Attempt> WaitForSuccessesAsync(int count, TimeSpan since, TimeSpan timeout, string what)
    {
        var deadline = Now + timeout;
        while (true)
        {
            var successes = Attempts.Where(a => a.Sent >= since && a.Succeeded).OrderBy(a => a.Answered).ToList();
            if (successes.Count >= count)
                return successes[0];
            if (Now > deadline)
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}; the last answers: " +
                    string.Join(", ", Attempts.TakeLast(10).Select(a => (int)a.Status)));
            await Task.Delay(50);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task BuyAsync(DrillEnvironment environment, string token, int itemId)
    {
        using var client = environment.Suite.Client(token);
        client.Timeout = TimeSpan.FromSeconds(20);
        while (!_stop.IsCancellationRequested)
        {
            var sent = Now;
            HttpStatusCode status;
            try
            {
                using var response = await client.PostAsJsonAsync($"/api/items/{itemId}/purchase", new { quantity = 1 });
                status = response.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                status = 0;
            }
            lock (_attempts)
                _attempts.Add(new Attempt(sent, Now, status));
            try
            {
                await Task.Delay(Pause, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
