namespace Store.Messaging;

/// <summary>An outbox row this version cannot turn back into its event (an unknown type, a body that does not fit it).</summary>
public sealed class UnreadableOutboxMessageException(string message, Exception innerException) : Exception(message, innerException);
