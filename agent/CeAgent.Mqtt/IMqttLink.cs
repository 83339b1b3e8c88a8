namespace CeAgent.Mqtt;

/// <summary>
/// "Connect" and "publish at QoS 1 and wait for the broker's answer": all the spool publisher needs of
/// MQTT. The seam lets its in-flight, retry and reconnect logic be tested with an in-memory link, without
/// a broker or root; <see cref="MqttLink"/> is the real one.
/// </summary>
public interface IMqttLink : IDisposable
{
    bool IsConnected { get; }

    /// <summary>Completes when the broker accepted the connection; faults with the reason otherwise.</summary>
    Task ConnectAsync(CancellationToken ct);

    /// <summary>Completes with the PUBACK's reason code (below 0x80: the broker has the message); faults
    /// if the connection is lost first, and then nothing is known of the message.</summary>
    Task<int> PublishAsync(string topic, byte[] payload, bool retain, CancellationToken ct);
}
