using Store.Contracts;

namespace Store.Testing;

/// <summary>Events as a publisher would send them, for tests that publish events themselves.</summary>
public static class TestEvents
{
    /// <summary>
    /// <paramref name="message"/> with a new event id and the envelope given (what
    /// <c>EventOrigin.Stamp</c> does for a request): <c>new ItemDeleted(7, "Teapot").Sent(actor, "admin", "req-6")</c>.
    /// </summary>
    public static TEvent Sent<TEvent>(
        this TEvent message, int? actorId = null, string? actorName = null, string? correlationId = null, DateTimeOffset? at = null)
        where TEvent : IntegrationEvent =>
        (TEvent)((IntegrationEvent)message with
        {
            EventId = Guid.CreateVersion7(),
            OccurredAt = at ?? DateTimeOffset.UtcNow,
            CorrelationId = correlationId,
            ActorId = actorId,
            ActorName = actorName,
        });
}
