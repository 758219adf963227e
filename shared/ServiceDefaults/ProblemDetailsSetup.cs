using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Store.ServiceDefaults;

/// <summary>
/// Every error the suite answers is an RFC 9457 problem (docs/contract.md, Conventions): validation is
/// 422 with <c>errors</c> keyed by snake_case field, a body that cannot be read is 400, a database
/// that is briefly unreachable (restarting, failing over) is 503 with <c>Retry-After</c>, and any
/// other unexpected exception is a 500 that says nothing of the internals.
/// </summary>
public static class ProblemDetailsSetup
{
    public static IServiceCollection AddStoreProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = Customize);
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<DatabaseUnavailableExceptionHandler>();
        // Lets a malformed body reach the exception handler, which says what was wrong with it,
        // in every environment alike.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    private static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var http = context.HttpContext;

        // Validation failures are 422, not the framework's 400: the request was well-formed but
        // its content broke a rule.
        if (problem is HttpValidationProblemDetails && problem.Status == StatusCodes.Status400BadRequest)
        {
            problem.Status = StatusCodes.Status422UnprocessableEntity;
            problem.Title = "One or more fields are invalid.";
            problem.Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.21";
            if (!http.Response.HasStarted)
                http.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }

        problem.Detail ??= DefaultDetail(problem, http);
        problem.Instance ??= http.Request.Path;
        problem.Extensions.Remove("traceId");
        problem.Extensions["trace_id"] = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
        problem.Extensions["request_id"] = http.TraceIdentifier;
    }

    /// <summary>
    /// What a person can do about a problem the framework raised without a detail (docs/contract.md:
    /// every problem has one): a 422 names the fields that are wrong, a 401 says how to log in.
    /// </summary>
    private static string DefaultDetail(ProblemDetails problem, HttpContext http)
    {
        if (problem is HttpValidationProblemDetails { Errors.Count: > 0 } validation)
        {
            var fields = validation.Errors.Keys.Select(key => key.Length == 0 ? "the body" : key).ToList();
            return fields.Count == 1
                ? $"{fields[0]} is not valid: see errors."
                : $"{string.Join(", ", fields[..^1])} and {fields[^1]} are not valid: see errors.";
        }
        return problem.Status switch
        {
            StatusCodes.Status401Unauthorized =>
                "This operation needs a valid access token: get one from POST /api/auth/token and send it as \"Authorization: Bearer <token>\".",
            StatusCodes.Status403Forbidden => "Your account's role does not allow this operation.",
            StatusCodes.Status404NotFound => $"Nothing is found at {http.Request.Path}.",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Path} does not take {http.Request.Method}.",
            StatusCodes.Status415UnsupportedMediaType => "Send the request body as application/json.",
            StatusCodes.Status429TooManyRequests => "Too many requests from this client: wait and try again.",
            StatusCodes.Status500InternalServerError => "The server failed to answer this request; it is logged under the request_id.",
            _ => problem.Title ?? ReasonPhrases.GetReasonPhrase(problem.Status ?? http.Response.StatusCode),
        };
    }

    /// <summary>A body or parameter that cannot be read is the client's error: 400 (or 413/415), saying why.</summary>
    private sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
    {
        public ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException badRequest)
                return ValueTask.FromResult(false);

            http.Response.StatusCode = badRequest.StatusCode;
            var detail = badRequest.InnerException is JsonException json
                ? $"The request body is not valid JSON: {json.Message}"
                : badRequest.Message;
            return problemDetails.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                Exception = exception,
                ProblemDetails = new ProblemDetails { Status = badRequest.StatusCode, Detail = detail },
            });
        }
    }

    /// <summary>
    /// The database went away for a moment (a restart, a failover, a dropped connection): the request
    /// did nothing wrong and the same request will work shortly, so 503 with <c>Retry-After</c>, not 500.
    /// </summary>
    private sealed class DatabaseUnavailableExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
    {
        public const int RetryAfterSeconds = 5;

        public ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
        {
            if (!IsTransientDatabaseFailure(exception))
                return ValueTask.FromResult(false);

            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return problemDetails.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                Exception = exception,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "The service is briefly unavailable.",
                    Detail = "Its database cannot be reached right now; try again in a few seconds.",
                },
            });
        }
    }

    /// <summary>
    /// True when <paramref name="exception"/> (or one it wraps, as EF Core's DbUpdateException does)
    /// says the database could not be reached or was shutting down, rather than that the statement was wrong.
    /// </summary>
    public static bool IsTransientDatabaseFailure(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                // 57P01/57P02: the server (or an administrator) ended the connection; 57P03: it is starting or stopping.
                case PostgresException postgres:
                    return postgres.IsTransient || postgres.SqlState is "57P01" or "57P02" or "57P03";
                case NpgsqlException npgsql when npgsql.IsTransient:
                case SocketException:
                    return true;
            }
        }
        return false;
    }
}
