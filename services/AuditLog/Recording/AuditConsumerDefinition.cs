using Microsoft.Extensions.Options;
using Store.Contracts;
using Store.Messaging;

namespace Store.AuditLog.Recording;

/// <summary>
/// The audit queue: one durable queue, "audit-log", bound to every event's exchange. A failed insert
/// is a database hiccup, worth a few quick retries (<c>RabbitMq:Retry*</c>: 5 from 200 ms), then audit-log_error.
/// </summary>
public sealed class AuditConsumerDefinition(IOptions<RabbitMqOptions> rabbitMq)
    : RetryingConsumerDefinition<AuditConsumer>(Subscriptions.AuditLogQueue, rabbitMq);
