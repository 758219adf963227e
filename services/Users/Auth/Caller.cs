using System.Globalization;
using System.Security.Claims;

namespace Store.Users.Auth;

public static class Caller
{
    /// <summary>The caller's user id: the token's <c>sub</c>.</summary>
    public static int UserId(this ClaimsPrincipal caller) =>
        int.Parse(caller.FindFirstValue("sub") ?? throw new InvalidOperationException("The caller has no sub claim."), CultureInfo.InvariantCulture);
}
