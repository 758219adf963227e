using System.ComponentModel.DataAnnotations;

namespace Store.ServiceDefaults;

/// <summary>A string that is not null, empty or only white space.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class NotBlankAttribute() : ValidationAttribute("must not be blank")
{
    public override bool IsValid(object? value) => value is null || value is string s && !string.IsNullOrWhiteSpace(s);
}
