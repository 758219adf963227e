namespace Store.Notifications.Delivery;

/// <summary>Settings of the <c>Smtp</c> section. Without a Host, e-mails are written to the log instead.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public string From { get; set; } = "Store <no-reply@store.local>";
    public string? Username { get; set; }
    public string? Password { get; set; }
    public bool EnableSsl { get; set; }

    /// <summary>How long one send may take before it counts as failed (and is retried).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many e-mails are sent at the same time (each over a connection of its own).</summary>
    public int MaxConcurrentSends { get; set; } = 4;
}
