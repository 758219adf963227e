namespace Store.Contracts;

public sealed record ItemCreated(
    int ItemId, string Name, string? Description, decimal Price, decimal? Tax,
    IReadOnlyList<string> Tags, int Stock) : IntegrationEvent;

/// <summary>The item as it is after the change, and the names of the fields the change touched.</summary>
public sealed record ItemUpdated(
    int ItemId, string Name, string? Description, decimal Price, decimal? Tax,
    IReadOnlyList<string> Tags, int Stock, IReadOnlyList<string> ChangedFields) : IntegrationEvent;

public sealed record ItemDeleted(int ItemId, string Name) : IntegrationEvent;

public sealed record OrderPlaced(
    int OrderId, int ItemId, string ItemName, int Quantity, decimal UnitPrice, decimal Total,
    int UserId, string Username, string? Email) : IntegrationEvent;
