using System.ComponentModel.DataAnnotations;
using Store.ServiceDefaults;
using Store.Users.Data;

namespace Store.Users.Registration;

/// <summary>The rules an account's fields follow, wherever they are set.</summary>
public static class UserRules
{
    public const string UsernamePattern = "^[A-Za-z0-9_.-]+$";
    public const string UsernameCharacters = "may contain only letters, digits, '_', '.' and '-'";

    /// <summary>
    /// An address the mail library sends to as it is: a dot-atom local part (RFC 5322: letters,
    /// digits and !#$%&amp;'*+/=?^_`{|}~-, dots between them) and a host name with at least one dot.
    /// Looser patterns let through addresses such as "p1@example.com&gt;" that every send then fails on.
    /// </summary>
    public const string EmailPattern =
        @"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$";
    public const string EmailMessage = "must be a valid e-mail address";
}

/// <summary>A new account: POST /api/users.</summary>
public sealed class UserCreate
{
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

/// <summary>An account as clients see it: never a password or its hash.</summary>
public sealed record UserResponse(
    int Id,
    string Username,
    string Email,
    string? FullName,
    UserRole Role,
    bool IsActive,
    DateTimeOffset CreatedAt)
{
    public static UserResponse From(User user) =>
        new(user.Id, user.Username, user.Email, user.FullName, user.Role, user.IsActive, user.CreatedAt);
}
