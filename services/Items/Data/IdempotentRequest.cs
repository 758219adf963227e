namespace Store.Items.Data;

/// <summary>
/// A purchase made with an <c>Idempotency-Key</c>: the user's key, what was asked for, and what was
/// answered, so that the same request sent again gets the same answer and buys nothing more.
/// </summary>
public sealed class IdempotentRequest
{
    public int UserId { get; set; }
    public required string Key { get; set; }

    /// <summary>The request the key was first used for ("item=5;quantity=2"); another request with the key is refused.</summary>
    public required string Fingerprint { get; set; }

    public int StatusCode { get; set; }

    /// <summary>The order placed (201).</summary>
    public int? OrderId { get; set; }

    /// <summary>The stock there was when the answer was 409.</summary>
    public int? Available { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
