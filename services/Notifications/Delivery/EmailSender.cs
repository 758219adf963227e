using System.Net;
using System.Net.Mail;

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
}

/// <summary>An e-mail to send. <paramref name="Id"/> becomes its Message-ID header, so a mail system can spot a duplicate.</summary>
public sealed record Email(Guid Id, string To, string Subject, string Body);

/// <summary>Sends e-mail over SMTP (System.Net.Mail) when Smtp:Host is configured, otherwise writes it to the log.</summary>
public sealed partial class EmailSender(SmtpOptions options, ILogger<EmailSender> logger)
{
    public async Task SendAsync(Email email, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            LogEmail(logger, email.To, email.Subject, email.Body);
            return;
        }

        using var message = new MailMessage(options.From, email.To, email.Subject, email.Body);
        message.Headers.Add("Message-ID", $"<{email.Id}@store.local>");
        using var client = new SmtpClient(options.Host, options.Port)
        {
            EnableSsl = options.EnableSsl,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Timeout = (int)options.Timeout.TotalMilliseconds,
        };
        if (!string.IsNullOrEmpty(options.Username))
            client.Credentials = new NetworkCredential(options.Username, options.Password);

        // SmtpClient's Timeout covers only synchronous sends; the token bounds the async one.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        await client.SendMailAsync(message, timeout.Token);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "E-mail (no SMTP server configured) to {To}: {Subject}\n{Body}")]
    private static partial void LogEmail(ILogger logger, string to, string subject, string body);
}
