using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Store.ServiceDefaults;

/// <summary>
/// Validates RS256 bearer tokens issued by the users service: signature against its JWKS, issuer,
/// audience and lifetime. The keys are fetched from the JWKS URL, cached, and fetched again when a
/// token names a key id that is not cached (the issuer rotated its key), at most every 10 seconds.
/// </summary>
public static class JwtAuthentication
{
    public static WebApplicationBuilder AddJwtAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<AuthOptions>(AuthOptions.Section);

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ValidatedTokens>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, ValidatedTokens>((options, authOptions, tokens) =>
            {
                var auth = authOptions.Value;
                // Keep the token's own claim names (sub, name, role): no mapping to WS-* URIs.
                options.MapInboundClaims = false;
                options.RequireHttpsMetadata = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Issuer,
                    ValidAudience = auth.Audience,
                    ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
                    NameClaimType = "name",
                    RoleClaimType = "role",
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                if (!string.IsNullOrWhiteSpace(auth.Jwks))
                {
                    options.TokenValidationParameters.IssuerSigningKeys = new JsonWebKeySet(auth.Jwks).GetSigningKeys();
                }
                else if (!string.IsNullOrWhiteSpace(auth.JwksUrl))
                {
                    options.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                        auth.JwksUrl, new JwksRetriever(), new HttpDocumentRetriever { RequireHttps = false })
                    {
                        AutomaticRefreshInterval = TimeSpan.FromMinutes(10),
                        RefreshInterval = TimeSpan.FromSeconds(10),
                    };
                }
                // A token's signature is checked once per process, not on every request (ValidatedTokens).
                options.TokenHandlers.Clear();
                options.TokenHandlers.Add(tokens);
            });
        // Not ready before the keys are at hand; a JWKS URL that does not answer fails the check, not the probe.
        builder.Services.AddHealthChecks().AddCheck<SigningKeysHealthCheck>(
            "signing-keys", failureStatus: null, tags: [Health.Ready], timeout: TimeSpan.FromSeconds(2));
        // Both policies admit only a token that names a user, so a handler behind them can take CurrentUser.
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Roles.User, policy => policy.RequireAuthenticatedUser().RequireAssertion(NamesAUser))
            .AddPolicy(Roles.Admin, policy => policy.RequireRole(Roles.Admin).RequireAssertion(NamesAUser));
        return builder;
    }

    private static bool NamesAUser(AuthorizationHandlerContext context) => context.User.GetUserId() is not null;

    /// <summary>Reads a bare JWKS document (no OpenID discovery document in this suite).</summary>
    private sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(
            string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var json = await retriever.GetDocumentAsync(address, cancel);
            var configuration = new OpenIdConnectConfiguration { JsonWebKeySet = new JsonWebKeySet(json) };
            foreach (var key in configuration.JsonWebKeySet.GetSigningKeys())
                configuration.SigningKeys.Add(key);
            return configuration;
        }
    }
}
