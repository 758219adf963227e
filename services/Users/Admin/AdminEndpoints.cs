using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Store.Messaging;
using Store.ServiceDefaults;
using Store.Users.Data;

namespace Store.Users.Admin;

/// <summary>/api/users and /api/users/{id}: admins list and delete accounts; a user may read their own.</summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapUserAdministration(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").WithTags("Users");

        users.MapGet("/", ListUsers).WithName("ListUsers").RequireAuthorization(Roles.Admin)
            .WithSummary("List accounts, paged and searched (admin); X-Total-Count holds the number of matches.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        users.MapGet("/{id:int}", GetUser).WithName("GetUser").RequireAuthorization(Roles.User)
            .WithSummary("Get an account: the caller's own, or any (admin).")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        users.MapDelete("/{id:int}", DeleteUser).WithName("DeleteUser").RequireAuthorization(Roles.Admin)
            .WithSummary("Delete an account (admin). Its tokens stop working here at once, elsewhere when they expire. "
                + "Not your own account, nor the last admin (409).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
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
        int id, CurrentUser caller, UsersDb db, CancellationToken cancellationToken)
    {
        // Decided before the lookup, so a user cannot probe which other ids exist.
        if (id != caller.Id && !caller.IsAdmin)
            return TypedResults.Forbid();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        return user is null ? Problems.NotFound("User", id) : TypedResults.Ok(UserResponse.From(user));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteUser(
        int id, CurrentUser caller, UsersDb db, EventOrigin origin, CancellationToken cancellationToken)
    {
        // Deleting the last admin would leave nobody to administer, and the next start would make
        // the first admin again with its configured password.
        if (id == caller.Id)
            return Undeletable("You cannot delete your own account; another admin can.");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await db.Users.FindAsync([id], cancellationToken);
        if (user is null)
            return Problems.NotFound("User", id);
        if (user.Role == UserRole.Admin)
        {
            // Every admin row locked: two admins deleting each other at once cannot leave none (the
            // second waits, then no longer sees the first one's victim).
            var admins = await db.Database
                .SqlQuery<int>($"SELECT id AS \"Value\" FROM users WHERE role = 'admin' FOR UPDATE")
                .ToListAsync(cancellationToken);
            if (!admins.Any(admin => admin != id))
                return Undeletable($"User {id} is the last admin; make another account admin first.");
        }
        db.Users.Remove(user);
        db.AddToOutbox(UserEvents.Deleted(user, origin), UserEvents.Key(user.Id));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted by another request since it was read.
            return Problems.NotFound("User", id);
        }
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult Undeletable(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The account cannot be deleted.", detail: detail);
}
