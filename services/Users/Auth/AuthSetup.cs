using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Store.ServiceDefaults;
using Store.Users.Data;

namespace Store.Users.Auth;

/// <summary>
/// This service issues the tokens, so it validates them with its own keys, in process: the shared
/// JWT validation (issuer, audience, lifetime, RS256) is pointed at <see cref="SigningKeys"/>
/// instead of a JWKS URL. It also looks the token's user up on every authenticated request, so a
/// deleted or deactivated user's tokens stop working here at once. Other services cannot see that
/// and accept such a token until it expires (at most <see cref="JwtOptions.AccessTokenMinutes"/>).
/// </summary>
public static class AuthSetup
{
    public static void Register(WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<JwtOptions>(JwtOptions.Section);
        builder.Services.AddSingleton(services => SigningKeys.Load(
            services.GetRequiredService<IOptions<JwtOptions>>().Value,
            builder.Environment.ContentRootPath,
            builder.Environment.IsDevelopment(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger<SigningKeys>()));
        builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        builder.Services.AddSingleton<Passwords>();
        builder.Services.AddSingleton<TokenIssuer>();
        // A missing or broken key stops the start, not the first log-in.
        builder.Services.AddHostedService<LoadKeysAtStartup>();

        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .PostConfigure<SigningKeys>((options, keys) =>
            {
                options.ConfigurationManager = null;
                options.TokenValidationParameters.IssuerSigningKeys = keys.Published;
                options.Events ??= new JwtBearerEvents();
                var validated = options.Events.OnTokenValidated;
                options.Events.OnTokenValidated = async context =>
                {
                    await validated(context);
                    if (context.Result is null && !await IsActiveUserAsync(context))
                        context.Fail("The token's user no longer exists or is deactivated.");
                };
            });
    }

    // One primary-key probe per authenticated request, compiled once and tracking nothing.
    private static readonly Func<UsersDb, int, CancellationToken, Task<bool>> UserIsActive =
        EF.CompileAsyncQuery((UsersDb db, int id, CancellationToken cancellationToken) => db.Users.Any(u => u.Id == id && u.IsActive));

    private static async Task<bool> IsActiveUserAsync(TokenValidatedContext context)
    {
        if (!int.TryParse(context.Principal?.FindFirstValue("sub"), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            return false;
        var db = context.HttpContext.RequestServices.GetRequiredService<UsersDb>();
        return await UserIsActive(db, id, context.HttpContext.RequestAborted);
    }

    private sealed class LoadKeysAtStartup(SigningKeys keys, ILogger<LoadKeysAtStartup> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (logger.IsEnabled(LogLevel.Information))
                logger.LogInformation("Signing tokens with key {KeyId}; publishing {Count} key(s)", keys.Current.KeyId, keys.Published.Count);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
