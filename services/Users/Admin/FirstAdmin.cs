using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Store.Messaging;
using Store.ServiceDefaults;
using Store.Users.Auth;
using Store.Users.Data;
using Store.Users.Registration;

namespace Store.Users.Admin;

/// <summary>
/// At start-up, after the migrations: when the database holds no admin, creates one from the
/// <c>Admin</c> settings. It runs on every start but acts once: later starts find the admin and
/// change nothing (its password included). Two instances starting together may both try; the
/// unique username lets one insert win and the other sees the admin and moves on. The account's
/// UserRegistered event commits with it, as a registration's does.
/// </summary>
public sealed class FirstAdmin(
    IServiceScopeFactory scopes, IOptions<FirstAdminOptions> options, TimeProvider clock, ILogger<FirstAdmin> logger) : IHostedService
{
    /// <summary>Call after AddDatabase: hosted services start in order, so the schema is migrated first.</summary>
    public static void Register(WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<FirstAdminOptions>(FirstAdminOptions.Section);
        builder.Services.AddHostedService<FirstAdmin>();
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UsersDb>();
        if (await AnyAdminAsync(db, cancellationToken))
            return;
        if (string.IsNullOrEmpty(settings.Username) || string.IsNullOrEmpty(settings.Password) || string.IsNullOrEmpty(settings.Email))
        {
            logger.LogWarning("There is no admin yet: set Admin:Username, Admin:Email and Admin:Password to create the first one at start-up.");
            return;
        }

        // The same rules as a registration; a bad setting stops the start rather than creating a broken account.
        var asRegistration = new UserCreate { Username = settings.Username, Email = settings.Email, FullName = settings.FullName, Password = settings.Password };
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(asRegistration, new ValidationContext(asRegistration), problems, validateAllProperties: true))
            throw new InvalidOperationException($"The Admin settings are invalid: {string.Join("; ", problems.Select(p => $"{string.Join(",", p.MemberNames)}: {p.ErrorMessage}"))}");

        var admin = new User
        {
            Username = settings.Username,
            Email = settings.Email,
            FullName = settings.FullName,
            Role = UserRole.Admin,
            PasswordHash = "",
            CreatedAt = clock.GetUtcNowForDatabase(),
        };
        admin.PasswordHash = scope.ServiceProvider.GetRequiredService<Passwords>().Hash(admin, settings.Password);
        db.Users.Add(admin);
        // Registered like any account (the audit log records it); it is its own actor.
        db.AddToOutbox(UserEvents.Registered(admin, EventOrigin.WithoutRequest(clock)), UserEvents.Key(admin.Id));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            if (logger.IsEnabled(LogLevel.Information))
                logger.LogInformation("Created the first admin, {Username} (id {Id})", admin.Username, admin.Id);
        }
        catch (DbUpdateException e) when (UsersDb.TakenField(e) is { } field)
        {
            db.ChangeTracker.Clear();
            if (await AnyAdminAsync(db, cancellationToken))
                return;   // another instance created it just now
            logger.LogError(
                "Cannot create the first admin: its {Field} is taken by an existing account that is not an admin. Configure another one in the Admin settings.",
                field);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static Task<bool> AnyAdminAsync(UsersDb db, CancellationToken cancellationToken) =>
        db.Users.AnyAsync(u => u.Role == UserRole.Admin, cancellationToken);
}
