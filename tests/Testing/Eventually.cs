namespace Store.Testing;

/// <summary>Polls for an expected state with a deadline, instead of sleeping for a guessed time.</summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Reads until <paramref name="done"/> holds and returns that value; fails with the last value seen at the deadline.</summary>
    public static async Task<T> GetAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read();
            if (done(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0.#} s for {what}; last seen: {Describe(value)}");
            await Task.Delay(Interval);
        }
    }

    private static string Describe<T>(T value) =>
        value is System.Collections.ICollection collection ? $"{collection.Count} item(s)" : value?.ToString() ?? "null";
}
