namespace Store.Items.Catalog;

/// <summary>The cached JSON bytes of an item or a page, written as they are (no serialization per request).</summary>
public sealed class ItemJson(byte[] body) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }
}
