using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Store.Messaging;
using Store.ServiceDefaults;
using Store.Users.Auth;
using Store.Users.Data;
using Store.Users.Registration;

namespace Store.Users.Profile;

/// <summary>/api/users/me: the caller's own account and settings.</summary>
public static class ProfileEndpoints
{
    public static IEndpointRouteBuilder MapProfile(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/users/me").WithTags("Users").RequireAuthorization(Roles.User);

        me.MapGet("/", GetMe).WithName("GetMyAccount").WithSummary("The caller's account.");
        me.MapPatch("/", UpdateMe).WithName("UpdateMyAccount")
            .WithSummary("Change the caller's full_name or email, or the password (with current_password); only the fields sent change.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        me.MapGet("/settings", GetSettings).WithName("GetMySettings").WithSummary("The caller's settings.");
        me.MapPut("/settings", ReplaceSettings).WithName("ReplaceMySettings").WithSummary("Replace the caller's settings.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    // Authentication has just found the caller's account active (AuthSetup); it is missing below
    // only when it was deleted in between.

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetMe(
        CurrentUser caller, UsersDb db, CancellationToken cancellationToken)
    {
        var id = caller.Id;
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        return user is null ? Problems.NotFound("User", id) : TypedResults.Ok(UserResponse.From(user));
    }

    public static async Task<Results<Ok<UserResponse>, ValidationProblem, ProblemHttpResult>> UpdateMe(
        UserPatch body, CurrentUser caller, UsersDb db, Passwords passwords, CancellationToken cancellationToken)
    {
        var id = caller.Id;
        var user = await db.Users.FindAsync([id], cancellationToken);
        if (user is null)
            return Problems.NotFound("User", id);

        var sent = body.SentFields;
        if (sent.Contains("password"))
        {
            if (passwords.Check(user, body.CurrentPassword!) == PasswordCheck.Wrong)
                return Problems.Invalid("current_password", "is not the current password");
            user.PasswordHash = passwords.Hash(user, body.Password!);
        }
        if (sent.Contains("full_name")) user.FullName = body.FullName;
        if (sent.Contains("email")) user.Email = body.Email!;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (UsersDb.TakenField(e) is { } field)
        {
            return UserConflicts.Taken(field, user.Email);
        }
        return TypedResults.Ok(UserResponse.From(user));
    }

    public static async Task<Results<Ok<SettingsResponse>, ProblemHttpResult>> GetSettings(
        CurrentUser caller, UsersDb db, CancellationToken cancellationToken)
    {
        var id = caller.Id;
        var settings = await db.Users.Where(u => u.Id == id).Select(u => new SettingsResponse(u.EmailNotifications)).FirstOrDefaultAsync(cancellationToken);
        return settings is null ? Problems.NotFound("User", id) : TypedResults.Ok(settings);
    }

    public static async Task<Results<Ok<SettingsResponse>, ProblemHttpResult>> ReplaceSettings(
        SettingsUpdate body, CurrentUser caller, UsersDb db, EventOrigin origin, CancellationToken cancellationToken)
    {
        var id = caller.Id;
        var user = await db.Users.FindAsync([id], cancellationToken);
        if (user is null)
            return Problems.NotFound("User", id);
        user.EmailNotifications = body.EmailNotifications!.Value;
        db.AddToOutbox(UserEvents.SettingsChanged(user, origin), UserEvents.Key(user.Id));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new SettingsResponse(user.EmailNotifications));
    }
}
