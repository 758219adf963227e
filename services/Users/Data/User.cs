namespace Store.Users.Data;

public sealed class User
{
    public int Id { get; set; }
    public required string Username { get; set; }
    public required string Email { get; set; }
    public string? FullName { get; set; }

    /// <summary>The framework's PasswordHasher format (PBKDF2, salted); never the password.</summary>
    public required string PasswordHash { get; set; }

    public UserRole Role { get; set; } = UserRole.User;
    public bool IsActive { get; set; } = true;
    public bool EmailNotifications { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary><c>lower(username)</c>, kept by the database; unique, so names differ in more than case.</summary>
    public string NormalizedUsername { get; private set; } = null!;

    /// <summary><c>lower(email)</c>, kept by the database; unique.</summary>
    public string NormalizedEmail { get; private set; } = null!;
}
