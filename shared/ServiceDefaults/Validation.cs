using System.Collections;
using System.ComponentModel.DataAnnotations;

namespace Store.ServiceDefaults;

/// <summary>A string that is not null, empty or only white space.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class NotBlankAttribute() : ValidationAttribute("must not be blank")
{
    public override bool IsValid(object? value) => value is null || value is string s && !string.IsNullOrWhiteSpace(s);
}

/// <summary>
/// A string without control characters (line breaks, tabs, escape codes): for names that end up in
/// one-line places such as an e-mail's subject, where a line break would start a header of its own.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class SingleLineAttribute() : ValidationAttribute("must not contain control characters such as line breaks or tabs")
{
    public override bool IsValid(object? value) => value is not string s || !s.Any(char.IsControl);
}

/// <summary>A decimal with at most <paramref name="places"/> digits after the point (money: 2).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class DecimalPlacesAttribute(int places) : ValidationAttribute($"must have at most {places} decimal places")
{
    public int Places => places;

    public override bool IsValid(object? value) =>
        value is not decimal number || decimal.Round(number, places) == number;
}

/// <summary>Every string of a list is present and <paramref name="minLength"/>..<paramref name="maxLength"/> characters long.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class EachLengthAttribute(int minLength, int maxLength)
    : ValidationAttribute($"each entry must be {minLength} to {maxLength} characters long")
{
    public int MinLength => minLength;

    public int MaxLength => maxLength;

    public override bool IsValid(object? value) =>
        value is not IEnumerable list || list.Cast<object?>().All(item => item is string s && s.Length >= minLength && s.Length <= maxLength);
}
