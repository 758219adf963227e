namespace Store.Notifications.Delivery;

/// <summary>An e-mail could not be sent; MassTransit retries the message, then moves it to the _error queue.</summary>
public sealed class EmailDeliveryException(string message, Exception innerException) : Exception(message, innerException);
