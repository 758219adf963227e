using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Store.ServiceDefaults;
using Store.Users.Data;

namespace Store.Users.Profile;

/// <summary>
/// PATCH /api/users/me: only the fields present change. Each setter records that its field was
/// sent, so <c>"full_name": null</c> (clear it) differs from leaving full_name out.
/// </summary>
public sealed class UserPatch : IValidatableObject, IHasExample
{
    public static object Example => new UserPatch { FullName = "Alice B. Example" };

    private readonly HashSet<string> _sent = [];

    [NotBlank, SingleLine, StringLength(100)]
    public string? FullName { get; init { field = value; _sent.Add("full_name"); } }

    // NotBlank: a regular expression attribute passes the empty string, which would leave the account without an address.
    [NotBlank, StringLength(254), RegularExpression(UserRules.EmailPattern, ErrorMessage = UserRules.EmailMessage)]
    public string? Email { get; init { field = value; _sent.Add("email"); } }

    /// <summary>A new password, 8 to 128 characters; needs <see cref="CurrentPassword"/>.</summary>
    [StringLength(128, MinimumLength = 8)]
    public string? Password { get; init { field = value; _sent.Add("password"); } }

    /// <summary>The password as it is now; required to set a new one.</summary>
    [StringLength(128)]
    public string? CurrentPassword { get; init; }

    /// <summary>The snake_case names of the fields the body contained.</summary>
    [JsonIgnore]
    public IReadOnlySet<string> SentFields => _sent;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // An account always has an e-mail and a password: null is an error, not "no change".
        foreach (var (field, value) in new (string, object?)[] { ("email", Email), ("password", Password) })
        {
            if (_sent.Contains(field) && value is null)
                yield return new ValidationResult("must not be null", [field]);
        }
        if (Password is not null && string.IsNullOrEmpty(CurrentPassword))
            yield return new ValidationResult("is required to change the password", ["current_password"]);
    }
}

/// <summary>The account's settings.</summary>
/// <param name="EmailNotifications">Whether the user gets e-mails (order confirmations, news); true unless turned off.</param>
public sealed record SettingsResponse(bool EmailNotifications);

/// <summary>PUT /api/users/me/settings: the whole of the settings.</summary>
public sealed class SettingsUpdate : IHasExample
{
    public static object Example => new SettingsUpdate { EmailNotifications = false };

    [Required]
    public bool? EmailNotifications { get; init; }
}
