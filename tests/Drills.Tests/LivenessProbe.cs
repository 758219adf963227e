using System.Net;
using Store.Testing;

namespace Store.Drills.Tests;

/// <summary>
/// Probes a consumer process's <c>/health/live</c> the way an orchestrator does, and restarts the
/// process once the probe has failed for <see cref="FailureThreshold"/> in a row (as Kubernetes does
/// with its liveness probe), so a drill checks that a consumer which stopped consuming says so.
/// </summary>
public sealed class LivenessProbe(ServiceProcess process, string name)
{
    /// <summary>How long the probe must fail before the process is restarted (Kubernetes: periodSeconds x failureThreshold).</summary>
    public static readonly TimeSpan FailureThreshold = TimeSpan.FromSeconds(30);

    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(3) };
    private DateTime? _failingSince;

    public string Name => name;

    /// <summary>Whether the probe ever failed.</summary>
    public bool Failed { get; private set; }

    /// <summary>How often the process was restarted because its probe kept failing.</summary>
    public int Restarts { get; private set; }

    /// <summary>Whether the last probe failed.</summary>
    public bool Failing => _failingSince is not null;

    /// <summary>Forgets what earlier drills saw.</summary>
    public void Reset()
    {
        Failed = false;
        Restarts = 0;
        _failingSince = null;
    }

    /// <summary>Probes once; restarts the process when the probe has failed for longer than the threshold and <paramref name="restart"/> is true.</summary>
    public async Task ProbeAsync(bool restart = true)
    {
        if (await IsLiveAsync())
        {
            _failingSince = null;
            return;
        }
        Failed = true;
        _failingSince ??= DateTime.UtcNow;
        if (!restart || DateTime.UtcNow - _failingSince < FailureThreshold)
            return;
        await process.StopAsync();
        await process.StartAsync();
        Restarts++;
        _failingSince = null;
    }

    private async Task<bool> IsLiveAsync()
    {
        try
        {
            using var response = await Client.GetAsync(new Uri(process.Address, "health/live"));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
