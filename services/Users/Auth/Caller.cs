using System.Security.Claims;
using Store.ServiceDefaults;

namespace Store.Users.Auth;

public static class Caller
{
    /// <summary>
    /// The caller's user id (the token's <c>sub</c>, read by the shared <see cref="UserClaims"/>). Only
    /// called behind authorization, so a token without one is a bug, not a client error.
    /// </summary>
    public static int UserId(this ClaimsPrincipal caller) =>
        caller.GetUserId() ?? throw new InvalidOperationException("The caller has no user id in sub.");
}
