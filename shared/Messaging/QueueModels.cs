namespace Store.Messaging;

/// <summary>
/// One queue: its messages (ready to deliver and delivered but not yet acknowledged), consumers,
/// messages per second published to it, delivered and acknowledged, and its _error queue's depth.
/// RabbitMQ's statistics are sampled every few seconds.
/// </summary>
public sealed record QueueStatus(
    string Name,
    int Messages,
    int MessagesReady,
    int MessagesUnacknowledged,
    int Consumers,
    double PublishRate,
    double DeliverRate,
    double AckRate,
    string ErrorQueue,
    int ErrorMessages);

/// <summary>
/// How many messages went back from the _error queue to the queue, and whether the audit log took the
/// record of it (false: no audit log queue was bound, or the broker did not confirm it in time; the error log says so).
/// </summary>
public sealed record ReplayResult(string Queue, int Replayed, bool Recorded);
