using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Store.ServiceDefaults;

/// <summary>
/// Every error the suite answers is an RFC 9457 problem (CONTRACT.md, Conventions): validation is
/// 422 with <c>errors</c> keyed by snake_case field, a body that cannot be read is 400, and an
/// unexpected exception is a 500 that says nothing of the internals.
/// </summary>
public static class ProblemDetailsSetup
{
    public static IServiceCollection AddStoreProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = Customize);
        services.AddExceptionHandler<BadRequestExceptionHandler>();
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

        problem.Instance ??= http.Request.Path;
        problem.Extensions.Remove("traceId");
        problem.Extensions["trace_id"] = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
        problem.Extensions["request_id"] = http.TraceIdentifier;
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
}
