using System.Diagnostics;
using Store.Testing;

namespace Store.EndToEnd.Tests;

/// <summary>
/// Runs a Node.js script in one of this project's npm folders (<c>Browser/</c>: puppeteer-core
/// driving Debian's Chromium; <c>OpenApiLint/</c>: Redocly's CLI) with its settings in the
/// environment. infra/test.sh installs Node.js, Chromium and each folder's packages.
/// </summary>
internal static class NodeScript
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <param name="folder">The npm folder, in tests/EndToEnd.Tests, the script runs in.</param>
    /// <param name="arguments">The script (a path in the folder) and its arguments.</param>
    /// <param name="environment">Settings for the script.</param>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(
        string folder, IEnumerable<string> arguments, Dictionary<string, string>? environment = null)
    {
        var directory = Path.Combine(ServiceProcess.RepositoryRoot(), "tests", "EndToEnd.Tests", folder);
        Assert.True(Directory.Exists(Path.Combine(directory, "node_modules")),
            $"the packages of {directory} are not installed: infra/test.sh runs `npm ci` there");
        var start = new ProcessStartInfo("node", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? [])
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"still running after {Timeout.TotalMinutes} minutes\n{await stdout}", await stderr);
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
