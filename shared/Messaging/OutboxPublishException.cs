namespace Store.Messaging;

/// <summary>Some messages of a relay round could not be published; they stay in the outbox and are retried.</summary>
public sealed class OutboxPublishException(string message, Exception innerException) : Exception(message, innerException);
