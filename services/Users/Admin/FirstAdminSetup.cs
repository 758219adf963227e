namespace Store.Users.Admin;

public static class FirstAdminSetup
{
    /// <summary>Call after AddDatabase: hosted services start in order, so the schema is migrated first.</summary>
    public static WebApplicationBuilder AddFirstAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<FirstAdminOptions>().BindConfiguration(FirstAdminOptions.Section);
        builder.Services.AddHostedService<FirstAdmin>();
        return builder;
    }
}
