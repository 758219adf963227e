using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Store.Contracts;
using Store.Testing;

namespace Store.Messaging.Tests;

/// <summary>
/// QueueTypes against the real broker, each case on a vhost of its own: the consumers' queues that
/// do not exist yet become the configured type (quorum by default), and a queue that exists keeps
/// its type, as a classic queue declared by an earlier version does.
/// </summary>
public sealed class QueueTypesTests : IAsyncLifetime
{
    private TestVhost _vhost = null!;

    public async Task InitializeAsync() => _vhost = await TestVhost.CreateAsync("queue-types");

    public async Task DisposeAsync() => await _vhost.DisposeAsync();

    [Fact]
    public async Task Queues_that_do_not_exist_yet_are_declared_as_quorum_queues_by_default()
    {
        using var types = QueueTypesOn(quorumQueues: new RabbitMqOptions().QuorumQueues);

        Assert.True(await types.IsQuorumAsync(Subscriptions.AuditLogQueue, CancellationToken.None));
        Assert.True(types.IsQuorum(Subscriptions.NotificationsQueue));
        Assert.Equal("quorum", await _vhost.QueueTypeAsync(Subscriptions.AuditLogQueue));
        Assert.Equal("quorum", await _vhost.QueueTypeAsync(Subscriptions.NotificationsQueue));
    }

    /// <summary>Classic queues asked for over an existing quorum queue, and quorum queues over an existing classic one.</summary>
    [Theory]
    [InlineData(true, Subscriptions.AuditLogQueue)]
    [InlineData(false, Subscriptions.NotificationsQueue)]
    public async Task A_queue_that_exists_keeps_its_type_while_a_new_one_is_declared_as_configured(bool quorumQueues, string existing)
    {
        await _vhost.DeclareQueueAsync(existing, quorum: !quorumQueues);
        using var types = QueueTypesOn(quorumQueues);

        foreach (var queue in Subscriptions.Queues.Keys)
        {
            var quorum = queue == existing ? !quorumQueues : quorumQueues;
            Assert.Equal(quorum, types.IsQuorum(queue));
            Assert.Equal(quorum ? "quorum" : "classic", await _vhost.QueueTypeAsync(queue));
        }
    }

    [Fact]
    public void While_the_broker_cannot_answer_a_starting_service_assumes_the_configured_type()
    {
        // A port nothing listens on: connecting is refused at once.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = (ushort)((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        using var quorum = QueueTypesOn(quorumQueues: true, closedPort);
        using var classic = QueueTypesOn(quorumQueues: false, closedPort);

        Assert.True(quorum.IsQuorum(Subscriptions.AuditLogQueue));
        Assert.False(classic.IsQuorum(Subscriptions.AuditLogQueue));
    }

    private QueueTypes QueueTypesOn(bool quorumQueues, ushort? port = null) => new(Options.Create(new RabbitMqOptions
    {
        Host = TestServers.RabbitHost,
        Port = port ?? (ushort)TestServers.RabbitPort,
        VirtualHost = _vhost.Name,
        Username = TestServers.RabbitUser,
        Password = TestServers.RabbitPassword,
        QuorumQueues = quorumQueues,
    }), NullLogger<QueueTypes>.Instance);
}
