using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Text;
using Store.ServiceDefaults;

namespace Store.Notifications.Delivery;

/// <summary>Sends e-mail over SMTP (MailKit) when Smtp:Host is configured, otherwise writes it to the log.</summary>
public sealed partial class EmailSender(IOptions<SmtpOptions> smtp, ILogger<EmailSender> logger)
{
    private readonly SmtpOptions _options = smtp.Value;

    /// <summary>The sender with its settings (<c>Smtp</c>): SMTP when Smtp:Host is set, else the log.</summary>
    public static void Register(WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<SmtpOptions>(SmtpOptions.Section);
        builder.Services.AddSingleton<EmailSender>();
    }

    public async Task SendAsync(Email email, CancellationToken cancellationToken)
    {
        if (_options.WritesToLog)
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
        message.From.Add(MailboxAddress.Parse(_options.From));
        message.To.Add(MailboxAddress.Parse(email.To));

        // One connection per e-mail: sends are few and seconds apart, and a pooled connection that
        // the server dropped meanwhile would fail the next send. The timeout bounds each network step.
        using var client = new SmtpClient { Timeout = (int)_options.Timeout.TotalMilliseconds };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        var security = _options.EnableSsl ? SecureSocketOptions.StartTls : SecureSocketOptions.None;
        await client.ConnectAsync(_options.Host, _options.Port, security, timeout.Token);
        if (!string.IsNullOrEmpty(_options.Username))
            await client.AuthenticateAsync(_options.Username, _options.Password ?? "", timeout.Token);
        await client.SendAsync(message, timeout.Token);
        await client.DisconnectAsync(quit: true, timeout.Token);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "E-mail (no SMTP server configured) to {To}: {Subject}\n{Body}")]
    private static partial void LogEmail(ILogger logger, string to, string subject, string body);
}
