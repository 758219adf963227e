namespace Store.Users.Auth;

public enum PasswordCheck
{
    Wrong,
    Correct,

    /// <summary>Correct, but hashed with weaker settings than today's: store a new hash.</summary>
    CorrectRehashNeeded,
}
