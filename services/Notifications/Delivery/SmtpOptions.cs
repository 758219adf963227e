using System.ComponentModel.DataAnnotations;

namespace Store.Notifications.Delivery;

/// <summary>Settings of the <c>Smtp</c> section. Without a Host, e-mails are written to the log instead.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }
    [Range(1, 65535)]
    public int Port { get; set; } = 25;
    [Required]
    public string From { get; set; } = "Store <no-reply@store.local>";
    public string? Username { get; set; }
    public string? Password { get; set; }
    public bool EnableSsl { get; set; }

    /// <summary>How long one send may take before it counts as failed (and is retried).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many e-mails are sent at the same time (each over a connection of its own).</summary>
    [Range(1, 1000)]
    public int MaxConcurrentSends { get; set; } = 4;
}
