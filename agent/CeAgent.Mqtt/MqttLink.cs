using System.Buffers;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Protocol;

namespace CeAgent.Mqtt;

/// <summary>A message the broker delivered, to be acknowledged with <see cref="AckAsync"/> once it is
/// safely kept: until then the broker holds it in the session and delivers it again after a reconnect.</summary>
public sealed record Delivery(string Topic, byte[] Payload, bool Retained, Func<CancellationToken, Task> AckAsync);

/// <summary>
/// An MQTTnet client with the project's settings. Received messages are never acknowledged by the
/// library: they go into a channel for the owner's thread, which acknowledges each after it has stored it.
/// The handler that feeds the channel does nothing that can throw. MQTTnet keeps no state across
/// connections, so what was in flight when a connection dropped faults and is the owner's to send again.
/// </summary>
public sealed class MqttLink : IMqttLink
{
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _options;
    private readonly Channel<Delivery> _received = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });

    public MqttLink(MqttSettings settings)
    {
        _options = settings.Build();
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            // Bounded by the receive maximum: the broker sends no more until some are acknowledged.
            e.AutoAcknowledge = false;
            _received.Writer.TryWrite(new Delivery(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray(), e.ApplicationMessage.Retain, e.AcknowledgeAsync));
            return Task.CompletedTask;
        };
    }

    public bool IsConnected => _client.IsConnected;

    public async Task ConnectAsync(CancellationToken ct)
    {
        MqttClientConnectResult r = await _client.ConnectAsync(_options, ct).ConfigureAwait(false);
        if (r.ResultCode != MqttClientConnectResultCode.Success)
            throw new IOException($"broker refused the connection: {r.ResultCode} {r.ReasonString}");
    }

    public async Task<int> PublishAsync(string topic, byte[] payload, bool retain, CancellationToken ct)
    {
        MqttApplicationMessage m = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build();
        MqttClientPublishResult r = await _client.PublishAsync(m, ct).ConfigureAwait(false);
        // "No matching subscribers" is a success: the broker took the message.
        return (int)r.ReasonCode;
    }

    /// <summary>Subscribes at QoS 1; returns each filter's reason code (0x80 and above: refused).</summary>
    public async Task<int[]> SubscribeAsync(IReadOnlyList<string> filters, CancellationToken ct)
    {
        var b = new MqttClientSubscribeOptionsBuilder();
        foreach (string f in filters)
            b = b.WithTopicFilter(f, MqttQualityOfServiceLevel.AtLeastOnce);
        MqttClientSubscribeResult r = await _client.SubscribeAsync(b.Build(), ct).ConfigureAwait(false);
        return [.. r.Items.Select(i => (int)i.ResultCode)];
    }

    /// <summary>The next delivered message, or null if none arrived within the wait or before <paramref name="ct"/>.</summary>
    public async Task<Delivery?> NextAsync(TimeSpan wait, CancellationToken ct)
    {
        if (_received.Reader.TryRead(out Delivery? d))
            return d;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(wait);
        try
        {
            await _received.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        return _received.Reader.TryRead(out d) ? d : null;
    }

    /// <summary>A clean disconnect: the session (and the will, which a clean disconnect does not send) stays with the broker.</summary>
    public void Dispose()
    {
        try
        {
            using var timeout = new CancellationTokenSource(2000);
            if (_client.IsConnected)
                _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
        {
        }
        _client.Dispose();
        _received.Writer.TryComplete();
    }
}
