using Microsoft.EntityFrameworkCore;
using Store.Users.Data;

namespace Store.Users.Tests.Data;

public sealed class UsersDbTests(UsersApi api) : IClassFixture<UsersApi>
{
    /// <summary>What lets an event naming the new account be saved in the same SaveChanges as the account.</summary>
    [Fact]
    public async Task A_new_account_has_its_id_as_soon_as_it_is_added_and_keeps_it_when_saved()
    {
        var username = UsersApi.UniqueName();

        var (added, saved) = await api.InDatabaseAsync(async db =>
        {
            var user = new User { Username = username, Email = $"{username}@example.com", PasswordHash = "not used", CreatedAt = DateTimeOffset.UtcNow };
            db.Users.Add(user);
            var idWhenAdded = user.Id;
            await db.SaveChangesAsync();
            return (idWhenAdded, user.Id);
        });

        Assert.True(added > 0);
        Assert.Equal(added, saved);
        Assert.Equal(username, (await api.InDatabaseAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == added))).Username);
    }
}
