using MassTransit;
using Microsoft.Extensions.Options;

namespace Store.Messaging;

/// <summary>
/// A consumer's queue and its retries, as every consumer here has them: <c>RabbitMq:Retry*</c>
/// (exponential backoff), then the queue's <c>_error</c> queue. The retry wraps this consumer alone, so
/// when two consumers share a queue a retry of one never runs the other again.
/// </summary>
public abstract class RetryingConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    private readonly RabbitMqOptions _rabbitMq;

    protected RetryingConsumerDefinition(string endpointName, IOptions<RabbitMqOptions> rabbitMq)
    {
        EndpointName = endpointName;
        _rabbitMq = rabbitMq.Value;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator, IRegistrationContext context) =>
        consumerConfigurator.UseMessageRetry(_rabbitMq.ConfigureRetry);
}
