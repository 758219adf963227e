using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Store.Contracts;
using Store.ServiceDefaults;

namespace Store.Messaging;

/// <summary>
/// What every event says about where it came from (docs/contract.md, Events): its own id, when it
/// happened, the correlation id of the request that caused it, and the acting user.
/// </summary>
public sealed record EventOrigin(Guid EventId, DateTimeOffset OccurredAt, string? CorrelationId, int? ActorId, string? ActorName)
{
    /// <summary>
    /// The origin of an event caused by this request: the correlation id is its X-Request-Id
    /// (<see cref="HttpContext.TraceIdentifier"/>), the actor is the token's <c>sub</c> and <c>name</c>.
    /// The id is a version 7 UUID, so ids sort by time.
    /// </summary>
    public static EventOrigin Of(HttpContext http, TimeProvider clock) => new(
        Guid.CreateVersion7(clock.GetUtcNow()),
        clock.GetUtcNowForDatabase(),
        http.TraceIdentifier,
        http.User.GetUserId(),
        http.User.GetUserName());

    /// <summary>
    /// Lets an endpoint take the request's origin as a parameter (<c>EventOrigin origin</c>), as
    /// minimal APIs bind a type with this method: the handler needs neither the HttpContext nor the
    /// clock for it. Taken when the request is bound, just before the handler runs.
    /// </summary>
    public static ValueTask<EventOrigin?> BindAsync(HttpContext http) =>
        ValueTask.FromResult<EventOrigin?>(Of(http, http.RequestServices.GetRequiredService<TimeProvider>()));

    /// <summary>
    /// <paramref name="message"/> with this origin as its envelope: publishers build an event from
    /// its own fields and stamp it, <c>origin.Stamp(new ItemDeleted(id, name))</c>.
    /// </summary>
    public TEvent Stamp<TEvent>(TEvent message) where TEvent : IntegrationEvent =>
        (TEvent)((IntegrationEvent)message with
        {
            EventId = EventId,
            OccurredAt = OccurredAt,
            CorrelationId = CorrelationId,
            ActorId = ActorId,
            ActorName = ActorName,
        });

    /// <summary>The origin of an event no request caused (work at start-up): no correlation id, no actor.</summary>
    public static EventOrigin WithoutRequest(TimeProvider clock) => new(
        Guid.CreateVersion7(clock.GetUtcNow()),
        clock.GetUtcNowForDatabase(),
        null,
        null,
        null);
}
