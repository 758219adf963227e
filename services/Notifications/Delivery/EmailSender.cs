using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MimeKit.Text;

namespace Store.Notifications.Delivery;

/// <summary>Sends e-mail over SMTP (MailKit) when Smtp:Host is configured, otherwise writes it to the log.</summary>
public sealed partial class EmailSender(SmtpOptions options, ILogger<EmailSender> logger)
{
    public async Task SendAsync(Email email, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            LogEmail(logger, email.To, email.Subject, email.Body);
            return;
        }

        using var message = new MimeMessage
        {
            MessageId = $"{email.Id}@store.local",
            Subject = email.Subject,
            Body = new TextPart(TextFormat.Plain) { Text = email.Body },
        };
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.Add(MailboxAddress.Parse(email.To));

        // One connection per e-mail: sends are few and seconds apart, and a pooled connection that
        // the server dropped meanwhile would fail the next send. The timeout bounds each network step.
        using var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var security = options.EnableSsl ? SecureSocketOptions.StartTls : SecureSocketOptions.None;
        await client.ConnectAsync(options.Host, options.Port, security, timeout.Token);
        if (!string.IsNullOrEmpty(options.Username))
            await client.AuthenticateAsync(options.Username, options.Password ?? "", timeout.Token);
        await client.SendAsync(message, timeout.Token);
        await client.DisconnectAsync(quit: true, timeout.Token);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "E-mail (no SMTP server configured) to {To}: {Subject}\n{Body}")]
    private static partial void LogEmail(ILogger logger, string to, string subject, string body);
}
