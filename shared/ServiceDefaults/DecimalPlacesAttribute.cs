using System.ComponentModel.DataAnnotations;

namespace Store.ServiceDefaults;

/// <summary>A decimal with at most <paramref name="places"/> digits after the point (money: 2).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class DecimalPlacesAttribute(int places) : ValidationAttribute($"must have at most {places} decimal places")
{
    public int Places => places;

    public override bool IsValid(object? value) =>
        value is not decimal number || decimal.Round(number, places) == number;
}
