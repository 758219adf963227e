using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Store.Users.Data;

namespace Store.Users.Tests.Auth;

/// <summary>Passwords are stored as salted PBKDF2 hashes (the framework's PasswordHasher), never as themselves.</summary>
public sealed class PasswordStorageTests(UsersApi api) : IClassFixture<UsersApi>
{
    private static readonly PasswordHasher<User> Hasher = new();

    [Fact]
    public async Task The_stored_hash_is_not_the_password_and_verifies_it()
    {
        var user = await api.RegisterAsync();

        var stored = await api.StoredUserAsync(user.Id);

        Assert.NotEqual(UsersApi.Password, stored.PasswordHash);
        Assert.DoesNotContain(UsersApi.Password, stored.PasswordHash, StringComparison.Ordinal);
        Assert.Equal(PasswordVerificationResult.Success, Hasher.VerifyHashedPassword(stored, stored.PasswordHash, UsersApi.Password));
        Assert.Equal(PasswordVerificationResult.Failed, Hasher.VerifyHashedPassword(stored, stored.PasswordHash, UsersApi.Password + "!"));
    }

    [Fact]
    public async Task Two_accounts_with_one_password_store_different_hashes()
    {
        var first = await api.RegisterAsync();
        var second = await api.RegisterAsync();

        Assert.NotEqual((await api.StoredUserAsync(first.Id)).PasswordHash, (await api.StoredUserAsync(second.Id)).PasswordHash);
    }

    [Fact]
    public async Task A_hash_made_with_weaker_settings_is_replaced_at_the_next_log_in()
    {
        var user = await api.RegisterAsync();
        var weakHasher = new PasswordHasher<User>(Options.Create(new PasswordHasherOptions { IterationCount = 1000 }));
        var stored = await api.StoredUserAsync(user.Id);
        var weak = weakHasher.HashPassword(stored, UsersApi.Password);
        await api.InDatabaseAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(set => set.SetProperty(u => u.PasswordHash, weak)));
        Assert.Equal(PasswordVerificationResult.SuccessRehashNeeded, Hasher.VerifyHashedPassword(stored, weak, UsersApi.Password));

        await api.TokenAsync(user.Username);

        var rehashed = (await api.StoredUserAsync(user.Id)).PasswordHash;
        Assert.NotEqual(weak, rehashed);
        Assert.Equal(PasswordVerificationResult.Success, Hasher.VerifyHashedPassword(stored, rehashed, UsersApi.Password));
    }

    [Fact]
    public async Task A_failed_log_in_leaves_the_hash_alone()
    {
        var user = await api.RegisterAsync();
        var before = (await api.StoredUserAsync(user.Id)).PasswordHash;

        using var response = await api.RequestTokenAsync(("username", user.Username), ("password", "wrong password"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, (await api.StoredUserAsync(user.Id)).PasswordHash);
    }
}
