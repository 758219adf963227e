using System.Text.Json;

namespace Store.Testing;

/// <summary>What the services' OpenAPI documents are read for in tests.</summary>
public static class OpenApiDocument
{
    /// <summary>
    /// Every operation's operationId, sorted; "(none: method)" for an operation without one. What a
    /// client generator names its methods after: stable, so regenerating keeps the code that calls them.
    /// </summary>
    public static List<string> OperationIds(JsonElement document) =>
        [.. document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject())
            .Select(operation => operation.Value.TryGetProperty("operationId", out var id) ? id.GetString()! : $"(none: {operation.Name})")
            .Order(StringComparer.Ordinal)];
}
