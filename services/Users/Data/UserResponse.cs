namespace Store.Users.Data;

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
