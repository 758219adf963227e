using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.Versioning;

namespace Store.Testing;

/// <summary>
/// One project of the suite (a service, the gateway) run as a real process: <c>dotnet</c> of the DLL
/// its build left in <c>{project}/bin/{Configuration}/{tfm}/</c> (the configuration the tests were
/// built in), listening on a port of its own, configured through environment variables. It can be
/// stopped and started again on the same port, or paused and resumed (a service that hangs), and it
/// is killed when disposed or when the test run ends.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private const int OutputLines = 300;

    /// <summary>Every process started and not yet stopped, so none outlives the test run.</summary>
    private static readonly ConcurrentDictionary<ServiceProcess, byte> Running = new();

    private readonly string _dll;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    static ServiceProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var service in Running.Keys)
            service.Kill();
    };

    private ServiceProcess(string project, string dll, int port, IReadOnlyDictionary<string, string?> settings)
    {
        Project = project;
        _dll = dll;
        Port = port;
        _settings = settings;
    }

    /// <summary>The project's folder, relative to the repository root: <c>services/Items</c>, <c>gateway</c>.</summary>
    public string Project { get; }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The process's last lines of output (its JSON logs), for a failing test to show.</summary>
    public string RecentOutput => string.Join('\n', _output);

    /// <summary>
    /// Starts <paramref name="project"/> on <paramref name="port"/> (a free one when null) with
    /// <paramref name="settings"/> as configuration (<c>Section:Key</c> names; a null value sets the
    /// setting to empty), and returns once it answers <c>GET /health/live</c>.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(
        string project, IReadOnlyDictionary<string, string?> settings, int? port = null, CancellationToken cancellationToken = default)
    {
        var service = new ServiceProcess(project, DllOf(project), port ?? FreePort(), settings);
        await service.StartAsync(cancellationToken);
        return service;
    }

    /// <summary>Starts the process (again, on the same port) and returns once it answers <c>GET /health/live</c>.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
            throw new InvalidOperationException($"{Project} is running already (pid {_process!.Id}).");

        var start = new ProcessStartInfo(DotnetHost())
        {
            ArgumentList = { _dll },
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = Address.ToString().TrimEnd('/');
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in _settings)
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? "";

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Remember(line.Data);
        process.ErrorDataReceived += (_, line) => Remember(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Running[this] = 0;

        await WaitUntilLiveAsync(process, cancellationToken);
    }

    /// <summary>Kills the process (a crash, not a graceful stop) and waits until it is gone; its port is kept for <see cref="StartAsync(CancellationToken)"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
            return;
        Kill();
        await process.WaitForExitAsync();
        process.Dispose();
        _process = null;
        Running.TryRemove(this, out _);
    }

    /// <summary>Freezes the process (SIGSTOP): connections are still accepted, nothing is answered.</summary>
    public Task PauseAsync() => SignalAsync("STOP");

    /// <summary>Lets a paused process run again (SIGCONT).</summary>
    public Task ResumeAsync() => SignalAsync("CONT");

    public HttpClient CreateClient() => new() { BaseAddress = Address };

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>
    /// A TCP port nothing listens on now and that no other call hands out while this test run lasts,
    /// in this process or in another test process (each port is claimed by a lock file held until the
    /// process ends). It is taken below the system's ephemeral range, where neither a <c>bind(0)</c>
    /// nor an outgoing connection lands: a port is often reserved seconds before its process listens
    /// (the gateway's, known to the services started before it), and one the system chose could be
    /// handed to another fixture's service meanwhile.
    /// </summary>
    public static int FreePort()
    {
        var (first, count) = ReservedPorts.Value;
        lock (Claims)
        {
            for (var tried = 0; tried < count; tried++)
            {
                var port = first + Random.Shared.Next(count);
                if (!Claims.ContainsKey(port) && NothingListensOn(port) && TryClaim(port) is { } claim)
                {
                    Claims[port] = claim;
                    return port;
                }
            }
            throw new InvalidOperationException($"No free port from {first} to {first + count - 1}.");
        }
    }

    /// <summary>The ports this process has handed out, each with its open lock file.</summary>
    private static readonly Dictionary<int, FileStream> Claims = [];

    /// <summary>The ports <see cref="FreePort"/> hands out: from 20000 up to the first of the system's ephemeral ones.</summary>
    private static readonly Lazy<(int First, int Count)> ReservedPorts = new(() =>
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        var ephemeral = File.Exists(range) ? int.Parse(File.ReadAllText(range).Split('\t', ' ')[0], CultureInfo.InvariantCulture) : 32768;
        return ephemeral > 21000
            ? (20000, ephemeral - 20000)
            : throw new InvalidOperationException($"{range} starts at {ephemeral}: the tests need the ports from 20000 to 21000 outside the ephemeral range.");
    });

    /// <summary>Where the ports' lock files are, shared by every test process of the machine; made once per process.</summary>
    private static readonly Lazy<string> ClaimFolder = new(() =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "store-test-ports")).FullName);

    /// <summary>
    /// Claims <paramref name="port"/> for this process: its lock file opened with no sharing (an
    /// exclusive <c>flock</c> on Unix, released when the process ends), or null when another process holds it.
    /// </summary>
    private static FileStream? TryClaim(int port)
    {
        try
        {
            return new FileStream(Path.Combine(ClaimFolder.Value, $"{port.ToString(CultureInfo.InvariantCulture)}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool NothingListensOn(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the socket listening on <see cref="Port"/> is <paramref name="process"/>'s (Linux:
    /// /proc/net/tcp names the listening socket's inode, /proc/PID/fd links to it). Where there is no
    /// /proc/net/tcp to tell, it is taken to be.
    /// </summary>
    private bool ListensHere(Process process)
    {
        if (!File.Exists("/proc/net/tcp"))
            return true;
        var portHex = $":{Port:X4}";
        var inodes = new HashSet<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[1].EndsWith(portHex, StringComparison.Ordinal) && fields[3] == "0A")
                    inodes.Add($"socket:[{fields[9]}]");
            }
        }
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{process.Id.ToString(CultureInfo.InvariantCulture)}/fd")
                .Any(fd => new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // it exited meanwhile
        }
    }

    private void Kill()
    {
        try
        {
            if (_process is { HasExited: false } process)
                process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    private Task SignalAsync(string signal) =>
        _process is { HasExited: false } process
            ? SignalAsync(process.Id, signal)
            : throw new InvalidOperationException($"{Project} is not running.");

    /// <summary>Sends a signal (STOP, CONT, ...) to a process, as kill(1) does.</summary>
    public static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { $"-{signal}", pid.ToString(CultureInfo.InvariantCulture) } })!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
            throw new InvalidOperationException($"kill -{signal} {pid} failed with exit code {kill.ExitCode}.");
    }

    private void Remember(string? line)
    {
        if (line is null)
            return;
        _output.Enqueue(line);
        while (_output.Count > OutputLines)
            _output.TryDequeue(out _);
    }

    private async Task WaitUntilLiveAsync(Process process, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                // Its last lines (the reason it stopped) are read until the pipes close.
                await process.WaitForExitAsync(CancellationToken.None);
                throw new InvalidOperationException(
                    $"{Project} exited with code {process.ExitCode} before answering on {Address}. Its output:\n{RecentOutput}");
            }
            try
            {
                using var response = await client.GetAsync("health/live", cancellationToken);
                // Another process's answer on this port is not this one's: it will exit (address in use) and say so above.
                if (response.IsSuccessStatusCode && ListensHere(process) && !process.HasExited)
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }
            if (deadline.Elapsed > StartTimeout)
            {
                await StopAsync();
                throw new TimeoutException($"{Project} did not answer on {Address} within {StartTimeout.TotalSeconds} s. Its output:\n{RecentOutput}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    /// <summary>The DLL the build of <paramref name="project"/> produced in the configuration and framework these tests were built for.</summary>
    private static string DllOf(string project)
    {
        var directory = Path.Combine(RepositoryRoot(), project);
        var projectFile = Directory.GetFiles(directory, "*.csproj").SingleOrDefault()
            ?? throw new InvalidOperationException($"No project file in {directory}.");
        var assembly = typeof(ServiceProcess).Assembly;
        var configuration = assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var framework = new FrameworkName(assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName);
        var dll = Path.Combine(directory, "bin", configuration, $"net{framework.Version.Major}.{framework.Version.Minor}",
            Path.GetFileNameWithoutExtension(projectFile) + ".dll");
        return File.Exists(dll)
            ? dll
            : throw new InvalidOperationException($"{dll} does not exist: build {project} in {configuration} first " +
                "(a test project that runs it references it with ReferenceOutputAssembly=\"false\" Private=\"false\", so it is built first).");
    }

    /// <summary>The directory holding Microservices.sln, above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Microservices.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"No Microservices.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>The dotnet that runs these tests (the SDK names it in DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
