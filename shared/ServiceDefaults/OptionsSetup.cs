using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Store.ServiceDefaults;

public static class OptionsSetup
{
    /// <summary>
    /// The one way an options class is bound: from its configuration section, its DataAnnotations
    /// checked when the service starts (a bad value stops it, naming the setting), read as
    /// <c>IOptions&lt;T&gt;</c> where it is used. Chain <c>Validate</c> for checks an attribute cannot say.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
