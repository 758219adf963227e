using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Store.Users.Data;

namespace Store.Users.Auth;

/// <summary>
/// Hashes and checks passwords with the framework's <see cref="PasswordHasher{TUser}"/> (salted
/// PBKDF2). A check for a user that does not exist is made against a dummy hash of the same kind,
/// so it costs as much as a real one and the answer's timing does not tell whether a name exists.
/// </summary>
public sealed class Passwords(IPasswordHasher<User> hasher)
{
    private static readonly User Nobody = new() { Username = "", Email = "", PasswordHash = "" };

    // A hash of a random password nobody knows, made once with the current settings.
    private readonly string _dummyHash = hasher.HashPassword(Nobody, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    public string Hash(User user, string password) => hasher.HashPassword(user, password);

    public PasswordCheck Check(User? user, string password)
    {
        var result = hasher.VerifyHashedPassword(user ?? Nobody, user?.PasswordHash ?? _dummyHash, password);
        if (user is null)
            return PasswordCheck.Wrong;
        return result switch
        {
            PasswordVerificationResult.Success => PasswordCheck.Correct,
            PasswordVerificationResult.SuccessRehashNeeded => PasswordCheck.CorrectRehashNeeded,
            _ => PasswordCheck.Wrong,
        };
    }
}
