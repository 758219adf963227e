namespace Store.Users.Admin;

/// <summary>Settings of the <c>Admin</c> configuration section: the account created when there is no admin yet.</summary>
public sealed class FirstAdminOptions
{
    public const string Section = "Admin";

    public string? Username { get; set; }
    public string? Email { get; set; }
    public string? FullName { get; set; }

    /// <summary>Its first password; from the environment (<c>Admin__Password</c>) or a secret store, never a committed file.</summary>
    public string? Password { get; set; }
}
