namespace Store.ServiceDefaults;

/// <summary>
/// A request body with an example the API accepts: the document shows it on the body's schema, so
/// Swagger UI's "Try it out" starts from a request that passes validation, and a client generator's
/// users see one. Null fields are left out of it.
/// </summary>
public interface IHasExample
{
    static abstract object Example { get; }
}
