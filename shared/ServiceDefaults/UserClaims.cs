using System.Globalization;
using System.Security.Claims;

namespace Store.ServiceDefaults;

/// <summary>The caller as the users service's access token describes them (docs/contract.md: sub, name, email, role).</summary>
public static class UserClaims
{
    /// <summary>The user id in <c>sub</c>; null for an anonymous caller or a subject that is not a user id.</summary>
    public static int? GetUserId(this ClaimsPrincipal user) =>
        int.TryParse(user.FindFirst("sub")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    public static string? GetUserName(this ClaimsPrincipal user) => user.FindFirst("name")?.Value;

    public static string? GetEmail(this ClaimsPrincipal user) => user.FindFirst("email")?.Value;

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.Admin);
}
