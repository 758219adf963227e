using MassTransit;

namespace Store.Notifications.Delivery;

public static class NotificationDelivery
{
    /// <summary>Registers the consumers, with their queue and retries (<see cref="NotificationConsumerDefinition"/>).</summary>
    public static void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddSingleton<NotificationDispatcher>();
        bus.AddConsumer<NotificationConsumer, NotificationConsumerDefinition>();
        bus.AddConsumer<PreferenceConsumer, PreferenceConsumerDefinition>();
    }

    /// <summary>The e-mail sender: SMTP when Smtp:Host is set, else the log. (The retry settings the consumer reads come with AddMessaging.)</summary>
    public static WebApplicationBuilder AddNotificationDelivery(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<EmailSender>();
        return builder;
    }
}
