namespace Store.Testing;

/// <summary>
/// Lines a test run prints at its end (what a drill or a sweep counted: requests sent, events
/// checked, inputs tried). infra/test.sh sets <c>TEST_REPORT</c> to a file and prints it before the
/// totals; without it, as in an IDE, the lines go nowhere.
/// </summary>
public static class TestReport
{
    private static readonly Lock Gate = new();

    public static void Add(string line)
    {
        if (Environment.GetEnvironmentVariable("TEST_REPORT") is not { Length: > 0 } file)
            return;
        lock (Gate)
            File.AppendAllText(file, line.ReplaceLineEndings(" ") + Environment.NewLine);
    }
}
