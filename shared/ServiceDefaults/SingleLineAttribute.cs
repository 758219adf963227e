using System.ComponentModel.DataAnnotations;

namespace Store.ServiceDefaults;

/// <summary>
/// A string without control characters (line breaks, tabs, escape codes): for names that end up in
/// one-line places such as an e-mail's subject, where a line break would start a header of its own.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class SingleLineAttribute() : ValidationAttribute("must not contain control characters such as line breaks or tabs")
{
    public override bool IsValid(object? value) => value is not string s || !s.Any(char.IsControl);
}
