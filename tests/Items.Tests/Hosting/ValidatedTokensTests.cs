using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;
using Store.ServiceDefaults;
using Store.Testing;

namespace Store.Items.Tests.Hosting;

/// <summary>
/// The validated-token memory every service and the gateway validate bearer tokens with (a unit test
/// of its logic: a clock of the test's own decides when a remembered token is no longer trusted).
/// </summary>
public sealed class ValidatedTokensTests
{
    private static TokenValidationParameters Trusting(IEnumerable<SecurityKey> keys) => new()
    {
        ValidIssuer = TestTokens.Issuer,
        ValidAudience = TestTokens.Audience,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        IssuerSigningKeys = keys,
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    private static readonly TokenValidationParameters TrustingTheTestKey = Trusting(new JsonWebKeySet(TestTokens.Jwks).GetSigningKeys());

    // No key at all: only a remembered token passes.
    private static readonly TokenValidationParameters TrustingNoKey = Trusting([]);

    [Fact]
    public async Task A_valid_token_is_trusted_again_without_its_signature_until_the_memory_ends()
    {
        var clock = new TestClock();
        var tokens = new ValidatedTokens(clock);
        var token = TestTokens.User(id: 42, name: "zoe");

        Assert.False((await tokens.ValidateTokenAsync(token, TrustingNoKey)).IsValid);
        Assert.True((await tokens.ValidateTokenAsync(token, TrustingTheTestKey)).IsValid);

        var again = await tokens.ValidateTokenAsync(token, TrustingNoKey);
        Assert.True(again.IsValid);
        Assert.Equal("42", again.ClaimsIdentity.FindFirst("sub")?.Value);

        clock.Advance(ValidatedTokens.MaxRemembered + TimeSpan.FromSeconds(1));
        Assert.False((await tokens.ValidateTokenAsync(token, TrustingNoKey)).IsValid);
    }

    [Fact]
    public async Task A_remembered_token_is_not_trusted_past_its_expiry()
    {
        var clock = new TestClock();
        var tokens = new ValidatedTokens(clock);
        var token = TestTokens.For(7, "yan", Roles.User, expires: DateTime.UtcNow.AddMinutes(2));
        Assert.True((await tokens.ValidateTokenAsync(token, TrustingTheTestKey)).IsValid);

        clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(31));

        Assert.False((await tokens.ValidateTokenAsync(token, TrustingNoKey)).IsValid);
    }

    [Fact]
    public async Task An_invalid_token_is_checked_every_time()
    {
        var tokens = new ValidatedTokens(new TestClock());
        var forged = TestTokens.For(1, "mallory", Roles.Admin, signingKey: TestTokens.NewKey("forger"));

        Assert.False((await tokens.ValidateTokenAsync(forged, TrustingTheTestKey)).IsValid);
        Assert.False((await tokens.ValidateTokenAsync(forged, TrustingTheTestKey)).IsValid);
    }

    [Fact]
    public async Task Each_use_of_a_remembered_token_gets_claims_of_its_own()
    {
        var tokens = new ValidatedTokens(new TestClock());
        var token = TestTokens.User(id: 5, name: "ana");
        var first = await tokens.ValidateTokenAsync(token, TrustingTheTestKey);
        first.ClaimsIdentity.AddClaim(new Claim("role", Roles.Admin));

        var second = await tokens.ValidateTokenAsync(token, TrustingNoKey);

        Assert.DoesNotContain(second.ClaimsIdentity.FindAll("role"), claim => claim.Value == Roles.Admin);
        var third = await tokens.ValidateTokenAsync(token, TrustingNoKey);
        Assert.NotSame(second.ClaimsIdentity, third.ClaimsIdentity);
    }

    private sealed class TestClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
