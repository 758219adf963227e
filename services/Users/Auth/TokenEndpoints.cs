using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using Store.ServiceDefaults;
using Store.Users.Data;

namespace Store.Users.Auth;

/// <summary>
/// <c>POST /api/auth/token</c>, the OAuth2 password grant (what Swagger UI's Authorize button sends),
/// and <c>GET /.well-known/jwks.json</c>, the public keys every other service validates tokens with.
/// </summary>
public static class TokenEndpoints
{
    private const string FormContentType = "application/x-www-form-urlencoded";
    private const string Tag = "Auth";
    private const string TagDescription = "Logging in (the OAuth2 password grant) and the public keys tokens are checked against.";

    public static IEndpointRouteBuilder MapTokens(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/token", IssueToken).WithName("IssueToken").WithTag(Tag, TagDescription)
            .WithSummary("Log in: the OAuth2 password grant (form-encoded username and password) returns an access token.")
            .Accepts<TokenRequest>(FormContentType)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        app.MapGet("/.well-known/jwks.json", GetKeys).WithName("GetSigningKeys").WithTag(Tag, TagDescription)
            .WithSummary("The public keys access tokens are signed with (JWKS), the current one and any previous one still accepted.");
        return app;
    }

    public static async Task<Results<Ok<TokenResponse>, BadRequest<TokenError>>> IssueToken(
        HttpRequest request, HttpResponse response, UsersDb db, Passwords passwords, TokenIssuer issuer,
        CancellationToken cancellationToken)
    {
        // RFC 6749 5.1: token responses, errors included, are never cached.
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";

        // Routing answers another content type with 415 (the Accepts metadata); this catches none at all.
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !string.Equals(contentType.MediaType, FormContentType, StringComparison.OrdinalIgnoreCase))
            return Error("invalid_request", $"The request body must be {FormContentType}.");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return Error("invalid_request", "The form cannot be read.");
        }
        if (form.FirstOrDefault(field => field.Value.Count > 1) is { Key: { } repeated })
            return Error("invalid_request", $"The parameter '{repeated}' is repeated.");
        if (form.TryGetValue("grant_type", out var grantType) && grantType != "password")
            return Error("unsupported_grant_type", "Only the password grant is supported.");
        var username = form["username"].ToString();
        var password = form["password"].ToString();
        if (username.Length == 0 || password.Length == 0)
            return Error("invalid_request", "The username and password parameters are required.");

        var key = username.ToLowerInvariant();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedUsername == key, cancellationToken);
        var check = passwords.Check(user, password);
        // Unknown user and wrong password are one answer, so it does not tell which names exist.
        if (user is null || check == PasswordCheck.Wrong)
            return Error("invalid_grant", "The username or password is incorrect.");
        if (!user.IsActive)
            return Error("invalid_grant", "The account is deactivated.");
        if (check == PasswordCheck.CorrectRehashNeeded)
        {
            // Only if nobody changed the password meanwhile.
            var rehashed = passwords.Hash(user, password);
            await db.Users.Where(u => u.Id == user.Id && u.PasswordHash == user.PasswordHash)
                .ExecuteUpdateAsync(set => set.SetProperty(u => u.PasswordHash, rehashed), cancellationToken);
        }

        return TypedResults.Ok(new TokenResponse(issuer.Issue(user), "bearer", (int)issuer.Lifetime.TotalSeconds));
    }

    public static Ok<JsonWebKeySetResponse> GetKeys(SigningKeys keys, HttpResponse response)
    {
        // Validators fetch again on an unknown key id anyway; a short cache spares the rest.
        response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(new JsonWebKeySetResponse([.. keys.Published.Select(ToJsonWebKey)]));
    }

    private static PublicJsonWebKey ToJsonWebKey(RsaSecurityKey key) => new(
        Kty: "RSA", Use: "sig", Alg: SecurityAlgorithms.RsaSha256, Kid: key.KeyId,
        N: Base64UrlEncoder.Encode(key.Parameters.Modulus), E: Base64UrlEncoder.Encode(key.Parameters.Exponent));

    private static BadRequest<TokenError> Error(string error, string description) =>
        TypedResults.BadRequest(new TokenError(error, description));
}
