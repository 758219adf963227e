using Microsoft.AspNetCore.Http.HttpResults;

namespace Store.Users.Registration;

/// <summary>409 for a username or e-mail another account already has (compared ignoring case).</summary>
public static class UserConflicts
{
    public static ProblemHttpResult Taken(string field, string value) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Already taken.",
        detail: field == "username" ? $"The username '{value}' is already taken." : $"The e-mail address '{value}' is already registered.",
        extensions: new Dictionary<string, object?> { ["field"] = field });
}
