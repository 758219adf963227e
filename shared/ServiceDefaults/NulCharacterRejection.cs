using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Store.ServiceDefaults;

/// <summary>
/// No text of the suite may hold the NUL character (U+0000): PostgreSQL refuses it in every text
/// column and parameter, which made such a request a 500, and the refusal left the pooled Npgsql
/// connection unusable for the requests after it. It is refused before it reaches a query, as 400
/// problem: in a JSON body by <see cref="JsonStrings"/> (while the body is read, so the answer is the
/// framework's "body not valid JSON" problem with the field's path), in the query string and a form
/// body by <see cref="Middleware"/>, which runs after authorization so 401 and 403 still come first.
/// </summary>
public static class NulCharacterRejection
{
    public const string Detail = "The request contains the NUL character (\\u0000), which no field accepts.";

    /// <summary>Reads JSON strings as usual but throws (400) on one containing NUL.</summary>
    public sealed class JsonStrings : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var value = reader.GetString();
            if (value is not null && value.Contains('\0', StringComparison.Ordinal))
                throw new JsonException("A string contains the NUL character (\\u0000), which no field accepts.");
            return value;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value);
    }

    /// <summary>Answers 400 problem for a query string or form body containing NUL (after decoding).</summary>
    public sealed class Middleware(RequestDelegate next, IProblemDetailsService problems)
    {
        public async Task InvokeAsync(HttpContext context)
        {
            if (context.Request.Query.Any(ContainsNul) || await FormContainsNulAsync(context.Request))
            {
                await problems.WriteProblemAsync(context, StatusCodes.Status400BadRequest, Detail);
                return;
            }
            await next(context);
        }

        private static async Task<bool> FormContainsNulAsync(HttpRequest request)
        {
            if (!request.HasFormContentType)
                return false;
            try
            {
                // Buffered in the request's form feature: the endpoint reads the same form again for free.
                var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
                return form.Any(ContainsNul);
            }
            catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
            {
                return false; // an unreadable form is the endpoint's to answer
            }
        }

        private static bool ContainsNul(KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> field) =>
            field.Key.Contains('\0', StringComparison.Ordinal)
            || field.Value.Any(value => value is not null && value.Contains('\0', StringComparison.Ordinal));
    }
}
