using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Store.ServiceDefaults;

/// <summary>
/// The caller of an endpoint behind the <see cref="Roles.User"/> or <see cref="Roles.Admin"/> policy,
/// as the access token names them (docs/contract.md: sub, name, email, role). A handler takes it as a
/// parameter; the policies admit only tokens whose <c>sub</c> is a user id, so behind them it is
/// always there (a token without one is refused with 403 before the handler runs).
/// </summary>
public sealed record CurrentUser(int Id, string Name, string? Email, bool IsAdmin)
{
    /// <summary>Binds the parameter from the request's authenticated user.</summary>
    public static ValueTask<CurrentUser?> BindAsync(HttpContext http) => ValueTask.FromResult(From(http.User));

    /// <summary>The user a principal names, or null when its <c>sub</c> is not a user id.</summary>
    public static CurrentUser? From(ClaimsPrincipal user) =>
        user.GetUserId() is { } id ? new CurrentUser(id, user.GetUserName() ?? $"user {id}", user.GetEmail(), user.IsAdmin()) : null;
}
