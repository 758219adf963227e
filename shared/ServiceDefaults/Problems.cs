using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Store.ServiceDefaults;

/// <summary>The problem answers endpoints return themselves (the rest come from the framework).</summary>
public static class Problems
{
    /// <summary>404 naming what is missing: "Item 99999 not found".</summary>
    public static ProblemHttpResult NotFound(string resource, object id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"{resource} {id} not found");

    /// <summary>Answers a problem from a middleware, outside any endpoint: the status and what to do about it.</summary>
    public static ValueTask WriteProblemAsync(this IProblemDetailsService problems, HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Detail = detail },
        });
    }

    /// <summary>422 for a rule a validation attribute cannot express, keyed by the snake_case field.</summary>
    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { [field] = [message] },
            title: "One or more fields are invalid.");
}
