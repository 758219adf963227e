namespace Store.ServiceDefaults;

/// <summary>Roles and the authorization policies named after them.</summary>
public static class Roles
{
    public const string User = "user";
    public const string Admin = "admin";
}
