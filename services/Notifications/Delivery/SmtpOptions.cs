using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace Store.Notifications.Delivery;

/// <summary>Settings of the <c>Smtp</c> section. Without a Host, e-mails are written to the log instead.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }

    /// <summary>No SMTP server: e-mails go to the log.</summary>
    [MemberNotNullWhen(false, nameof(Host))]
    public bool WritesToLog => string.IsNullOrWhiteSpace(Host);

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

    /// <summary>
    /// How many e-mails are sent to the SMTP server at the same time (each over a connection of its
    /// own), which is also the most that can reach it twice when the process dies. E-mails written to
    /// the log reach nobody, so they are not held to it.
    /// </summary>
    [Range(1, 1000)]
    public int MaxConcurrentSends { get; set; } = 4;
}
