using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace Store.Users.Tests.Auth;

/// <summary>Runs alone, after the parallel tests, so that timings are not skewed by other tests' load.</summary>
[CollectionDefinition(nameof(TimingSensitive), DisableParallelization = true)]
public sealed class TimingSensitive;

/// <summary>A failed log-in takes about as long whether or not the username exists, so timing does not reveal it.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class LoginTimingTests(UsersApi api, ITestOutputHelper output) : IClassFixture<UsersApi>
{
    private const int Rounds = 15;

    [Fact]
    public async Task An_unknown_user_takes_about_as_long_as_a_wrong_password()
    {
        var user = await api.RegisterAsync();
        var ghost = UsersApi.UniqueName("ghost");
        await TimeAsync(user.Username);   // warm up both paths (JIT, connections, the dummy hash)
        await TimeAsync(ghost);

        var wrongPassword = new List<double>();
        var unknownUser = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            wrongPassword.Add(await TimeAsync(user.Username));
            unknownUser.Add(await TimeAsync(ghost));
        }

        var ratio = Median(unknownUser) / Median(wrongPassword);
        output.WriteLine($"median failed log-in: wrong password {Median(wrongPassword):F1} ms, unknown user {Median(unknownUser):F1} ms, ratio {ratio:F2}");
        Assert.InRange(ratio, 0.5, 2.0);
    }

    private async Task<double> TimeAsync(string username)
    {
        var watch = Stopwatch.StartNew();
        using var response = await api.RequestTokenAsync(("username", username), ("password", "not the password"));
        watch.Stop();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
