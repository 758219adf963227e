using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Store.Items.Data;
using Store.ServiceDefaults;

namespace Store.Items.Catalog;

/// <summary>A new item, or the whole of an item replaced by PUT.</summary>
public sealed class ItemCreate : IHasExample
{
    public static object Example => new ItemCreate { Name = "Desk lamp", Description = "Warm light, adjustable arm.", Price = 24.99m, Tax = 2.5m, Tags = ["lighting", "desk"], Stock = 10 };

    [Required, NotBlank, SingleLine, StringLength(100, MinimumLength = 1)]
    public string Name { get; init; } = null!;

    [StringLength(500)]
    public string? Description { get; init; }

    [Range(0d, 1_000_000d, MinimumIsExclusive = true), DecimalPlaces(2)]
    public decimal Price { get; init; }

    /// <summary>Added to the price; at most the price ceiling, like the price.</summary>
    [Range(0d, 1_000_000d), DecimalPlaces(2)]
    public decimal? Tax { get; init; }

    [MaxLength(20), EachLength(1, 30)]
    public List<string>? Tags { get; init; }

    [Range(0, int.MaxValue)]
    public int Stock { get; init; }
}

/// <summary>
/// A partial update: only the fields present in the body change. Each setter records that its field
/// was sent, so an explicit <c>"tax": null</c> (clear the tax) differs from leaving tax out.
/// </summary>
public sealed class ItemPatch : IValidatableObject, IHasExample
{
    public static object Example => new ItemPatch { Price = 19.5m };

    private readonly HashSet<string> _sent = [];

    [NotBlank, SingleLine, StringLength(100, MinimumLength = 1)]
    public string? Name { get; init { field = value; _sent.Add("name"); } }

    [StringLength(500)]
    public string? Description { get; init { field = value; _sent.Add("description"); } }

    [Range(0d, 1_000_000d, MinimumIsExclusive = true), DecimalPlaces(2)]
    public decimal? Price { get; init { field = value; _sent.Add("price"); } }

    [Range(0d, 1_000_000d), DecimalPlaces(2)]
    public decimal? Tax { get; init { field = value; _sent.Add("tax"); } }

    [MaxLength(20), EachLength(1, 30)]
    public List<string>? Tags { get; init { field = value; _sent.Add("tags"); } }

    [Range(0, int.MaxValue)]
    public int? Stock { get; init { field = value; _sent.Add("stock"); } }

    /// <summary>The snake_case names of the fields the body contained.</summary>
    [JsonIgnore]
    public IReadOnlySet<string> SentFields => _sent;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // These fields have no null state in an item: sending null is an error, not "no change".
        foreach (var (field, value) in new (string, object?)[] { ("name", Name), ("price", Price), ("stock", Stock) })
        {
            if (_sent.Contains(field) && value is null)
                yield return new ValidationResult("must not be null", [field]);
        }
    }
}

public sealed record ItemResponse(
    int Id,
    string Name,
    string? Description,
    decimal Price,
    decimal? Tax,
    decimal? PriceWithTax,
    IReadOnlyList<string> Tags,
    int Stock,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ItemResponse From(Item item) => new(
        item.Id, item.Name, item.Description, item.Price, item.Tax,
        item.Tax is { } tax ? item.Price + tax : null,
        item.Tags, item.Stock, item.CreatedAt, item.UpdatedAt);
}

/// <summary>The list's query string: paging and filters.</summary>
public sealed record ItemQuery : IPageQuery
{
    /// <summary>How many matches to skip (default 0).</summary>
    [FromQuery(Name = "skip"), Range(0, int.MaxValue)]
    public int? Skip { get; init; }

    /// <summary>How many matches to return, 1..100 (default 10).</summary>
    [FromQuery(Name = "limit"), Range(1, Paging.MaxLimit)]
    public int? Limit { get; init; }

    /// <summary>Case-insensitive substring of the name or the description.</summary>
    [FromQuery(Name = "search"), StringLength(100)]
    public string? Search { get; init; }

    /// <summary>true: stock above 0; false: stock 0; absent: all.</summary>
    [FromQuery(Name = "in_stock")]
    public bool? InStock { get; init; }

    /// <summary>Only items carrying this tag.</summary>
    [FromQuery(Name = "tag"), StringLength(30)]
    public string? Tag { get; init; }
}
