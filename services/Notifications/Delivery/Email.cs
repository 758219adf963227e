namespace Store.Notifications.Delivery;

/// <summary>An e-mail to send. <paramref name="Id"/> becomes its Message-ID header, so a mail system can spot a duplicate.</summary>
public sealed record Email(Guid Id, string To, string Subject, string Body);
