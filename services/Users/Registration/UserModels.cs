using System.ComponentModel.DataAnnotations;
using Store.ServiceDefaults;
using Store.Users.Data;

namespace Store.Users.Registration;

/// <summary>A new account: POST /api/users.</summary>
public sealed class UserCreate : IHasExample
{
    public static object Example => new UserCreate { Username = "alice", Email = "alice@example.com", FullName = "Alice Example", Password = "correct-horse-battery" };

    /// <summary>3 to 50 letters, digits, '_', '.' or '-'; unique, ignoring case.</summary>
    [Required, StringLength(50, MinimumLength = 3), RegularExpression(UserRules.UsernamePattern, ErrorMessage = UserRules.UsernameCharacters)]
    public string Username { get; init; } = null!;

    /// <summary>Unique, ignoring case.</summary>
    [Required, StringLength(254), RegularExpression(UserRules.EmailPattern, ErrorMessage = UserRules.EmailMessage)]
    public string Email { get; init; } = null!;

    [NotBlank, SingleLine, StringLength(100)]
    public string? FullName { get; init; }

    /// <summary>8 to 128 characters.</summary>
    [Required, StringLength(128, MinimumLength = 8)]
    public string Password { get; init; } = null!;
}
