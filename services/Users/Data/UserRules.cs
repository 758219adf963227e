namespace Store.Users.Data;

/// <summary>The rules an account's fields follow, wherever they are set.</summary>
public static class UserRules
{
    public const string UsernamePattern = "^[A-Za-z0-9_.-]+$";
    public const string UsernameCharacters = "may contain only letters, digits, '_', '.' and '-'";

    /// <summary>
    /// An address the mail library sends to as it is: a dot-atom local part (RFC 5322: letters,
    /// digits and !#$%&amp;'*+/=?^_`{|}~-, dots between them) and a host name with at least one dot.
    /// Looser patterns let through addresses such as "p1@example.com&gt;" that every send then fails on.
    /// </summary>
    public const string EmailPattern =
        @"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$";
    public const string EmailMessage = "must be a valid e-mail address";
}
