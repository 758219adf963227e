namespace Store.Users.Data;

public enum UserRole
{
    User,
    Admin,
}
