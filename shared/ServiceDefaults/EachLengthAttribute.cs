using System.Collections;
using System.ComponentModel.DataAnnotations;

namespace Store.ServiceDefaults;

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
