using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Store.Messaging;
using Store.ServiceDefaults;
using Store.Users.Auth;
using Store.Users.Data;

namespace Store.Users.Registration;

/// <summary>POST /api/users: anyone may open an account.</summary>
public static class RegistrationEndpoints
{
    public static IEndpointRouteBuilder MapRegistration(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/users", Register).WithName("RegisterUser").WithTag("Users", "Registering, one's own account and settings, and every user (admins).")
            .WithSummary("Register: open an account with the role user.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static async Task<Results<Created<UserResponse>, ProblemHttpResult>> Register(
        UserCreate body, UsersDb db, Passwords passwords, TimeProvider clock, EventOrigin origin, CancellationToken cancellationToken)
    {
        var user = new User
        {
            Username = body.Username,
            Email = body.Email,
            FullName = body.FullName,
            PasswordHash = "",
            CreatedAt = clock.GetUtcNowForDatabase(),
        };
        user.PasswordHash = passwords.Hash(user, body.Password);
        db.Users.Add(user);
        // A new account registers itself: it is the actor of its own event.
        db.AddToOutbox(UserEvents.Registered(user, origin), UserEvents.Key(user.Id));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (UsersDb.TakenField(e) is { } field)
        {
            return UserConflicts.Taken(field, field == "username" ? body.Username : body.Email);
        }
        return TypedResults.Created($"/api/users/{user.Id}", UserResponse.From(user));
    }
}
