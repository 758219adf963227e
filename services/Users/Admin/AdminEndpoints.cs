using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Store.Messaging;
using Store.ServiceDefaults;
using Store.Users.Auth;
using Store.Users.Data;
using Store.Users.Registration;

namespace Store.Users.Admin;

/// <summary>/api/users and /api/users/{id}: admins list and delete accounts; a user may read their own.</summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapUserAdministration(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").WithTags("Users");

        users.MapGet("/", ListUsers).RequireAuthorization(Roles.Admin)
            .WithSummary("List accounts, paged and searched (admin); X-Total-Count holds the number of matches.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        users.MapGet("/{id:int}", GetUser).RequireAuthorization(Roles.User)
            .WithSummary("Get an account: the caller's own, or any (admin).")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        users.MapDelete("/{id:int}", DeleteUser).RequireAuthorization(Roles.Admin)
            .WithSummary("Delete an account (admin). Its tokens stop working here at once, elsewhere when they expire.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<UserResponse[]>> ListUsers(
        [AsParameters] UserQuery query, UsersDb db, HttpResponse response, CancellationToken cancellationToken)
    {
        var matches = db.Users.AsNoTracking();
        if (!string.IsNullOrEmpty(query.Search))
        {
            // A plain substring test (strpos): the term's % and _ are not wildcards. The analyzer's
            // StringComparison overload has no SQL translation; lower() on both sides does the same.
            var term = query.Search.ToLowerInvariant();
#pragma warning disable CA1862
            matches = matches.Where(u => u.NormalizedUsername.Contains(term)
                || u.NormalizedEmail.Contains(term)
                || (u.FullName != null && u.FullName.ToLower().Contains(term)));
#pragma warning restore CA1862
        }

        var page = await matches.ToPageAsync(query, m => m.OrderBy(u => u.Id), response, cancellationToken);
        return TypedResults.Ok(page.Select(UserResponse.From).ToArray());
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult, ForbidHttpResult>> GetUser(
        int id, ClaimsPrincipal caller, UsersDb db, CancellationToken cancellationToken)
    {
        // Decided before the lookup, so a user cannot probe which other ids exist.
        if (id != caller.UserId() && !caller.IsInRole(Roles.Admin))
            return TypedResults.Forbid();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        return user is null ? Problems.NotFound("User", id) : TypedResults.Ok(UserResponse.From(user));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteUser(
        int id, UsersDb db, TimeProvider clock, HttpContext http, CancellationToken cancellationToken)
    {
        var user = await db.Users.FindAsync([id], cancellationToken);
        if (user is null)
            return Problems.NotFound("User", id);
        db.Users.Remove(user);
        db.AddToOutbox(UserEvents.Deleted(user, EventOrigin.Of(http, clock)), UserEvents.Key(user.Id));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted by another request since it was read.
            return Problems.NotFound("User", id);
        }
        return TypedResults.NoContent();
    }
}
