using System.Diagnostics;
using System.Globalization;
using Store.Testing;

namespace Store.Drills.Tests;

/// <summary>
/// Without Docker, the drills' own PostgreSQL and RabbitMQ: run by the project's infra/servers.sh on
/// free ports with their data in a temporary folder, so that stopping them disturbs no one else on
/// the machine. Each start and stop is the script's, as an operator would run it.
/// </summary>
public sealed class ScriptedServers : IServerControl
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(3);
    private readonly Dictionary<string, string> _environment;
    private readonly string _dataDir;

    private ScriptedServers(string dataDir, Dictionary<string, string> environment)
    {
        _dataDir = dataDir;
        _environment = environment;
    }

    /// <summary>The variables infra/servers.sh and <see cref="TestServers"/> both read.</summary>
    public IReadOnlyDictionary<string, string> Environment => _environment;

    public static async Task<ScriptedServers> StartAsync()
    {
        var dataDir = Directory.CreateTempSubdirectory("drills-servers-").FullName;
        var servers = new ScriptedServers(dataDir, new Dictionary<string, string>
        {
            [TestServers.ModeVariable] = TestServers.RunningMode,
            ["DATA_DIR"] = dataDir,
            ["PG_PORT"] = Port(ServiceProcess.FreePort()),
            ["RABBITMQ_PORT"] = Port(ServiceProcess.FreePort()),
            ["RABBITMQ_MANAGEMENT_PORT"] = Port(ServiceProcess.FreePort()),
            ["RABBITMQ_DIST_PORT"] = Port(DistributionPort()),
            ["RABBITMQ_NODENAME"] = $"drills{System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}@localhost",
        });
        try
        {
            await servers.RunAsync("start");
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }
        return servers;
    }

    public Task StartAsync(string server) => RunAsync("start", server);

    public Task StopAsync(string server) => RunAsync("stop", server);

    /// <summary>SIGSTOP to the server's processes, the main one first so that it starts no new ones.</summary>
    public async Task PauseAsync(string server)
    {
        foreach (var pid in Processes(server))
            await ServiceProcess.SignalAsync(pid, "STOP");
    }

    public async Task ResumeAsync(string server)
    {
        foreach (var pid in Enumerable.Reverse(Processes(server)))
            await ServiceProcess.SignalAsync(pid, "CONT");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("stop");
        }
        finally
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    private async Task RunAsync(params string[] arguments)
    {
        var script = new ProcessStartInfo(Path.Combine(ServiceProcess.RepositoryRoot(), "infra", "servers.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            script.ArgumentList.Add(argument);
        foreach (var (name, value) in _environment)
            script.Environment[name] = value;

        var took = Stopwatch.StartNew();
        using var process = Process.Start(script)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"infra/servers.sh {string.Join(' ', arguments)} took longer than {ScriptTimeout}.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"infra/servers.sh {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}\n{await errors}");
        var said = (await errors).Trim().ReplaceLineEndings("; ");
        TestReport.Add(string.Create(CultureInfo.InvariantCulture,
            $"infra/servers.sh {string.Join(' ', arguments)}: {took.Elapsed.TotalSeconds:0.0} s ({said})"));
    }

    /// <summary>The server's main process (from the pid file infra/servers.sh's server writes) and every process under it.</summary>
    private List<int> Processes(string server)
    {
        var pidFile = server switch
        {
            "postgres" => Path.Combine(_dataDir, "postgres", "postmaster.pid"),
            "rabbitmq" => Path.Combine(_dataDir, "rabbitmq", "server.pid"),
            _ => throw new ArgumentOutOfRangeException(nameof(server), server, "Either postgres or rabbitmq."),
        };
        var main = int.Parse(File.ReadLines(pidFile).First().Trim(), CultureInfo.InvariantCulture);
        var children = Directory.EnumerateDirectories("/proc")
            .Select(dir => int.TryParse(Path.GetFileName(dir), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Select(pid => (Pid: pid, Parent: ParentOf(pid)))
            .ToLookup(process => process.Parent, process => process.Pid);
        var tree = new List<int> { main };
        for (var i = 0; i < tree.Count; i++)
            tree.AddRange(children[tree[i]]);
        return tree;
    }

    /// <summary>The fourth field of /proc/PID/stat, after the parenthesised command name; 0 for a process gone meanwhile.</summary>
    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A free port for Erlang distribution. rabbitmqctl connects from that port + 10000 .. + 10010,
    /// so it must stay well below 65535: <see cref="ServiceProcess.FreePort"/>'s are below the system's
    /// ephemeral range (from 32768 unless configured otherwise).
    /// </summary>
    private static int DistributionPort() => ServiceProcess.FreePort();
}
