using CeAgent.Interop.Mqtt;
using CeAgent.Spool;

namespace CeAgent.Transport;

/// <summary>
/// Moves messages from the spool to the broker and removes them when the broker has them. Runs on one
/// thread: libmosquitto's events arrive through the client's channel, so an acknowledgement is handled
/// only after its publish was recorded. What is in flight is bounded, because libmosquitto's own queue
/// is in memory and unbounded; the spool stays the queue of record. Within one process a message is
/// published once: libmosquitto resends it after a reconnect (clean start off). After a restart every
/// unacknowledged message is published again; the collector drops duplicates by (CE, sequence).
/// </summary>
public sealed class SpoolPublisher(DurableSpool spool, MqttClient mqtt, string topic, int maxInflight = 16, TimeSpan? retryRejected = null)
{
    private readonly Dictionary<int, ulong> _inflight = [];
    private readonly HashSet<ulong> _sent = [];
    private readonly Dictionary<ulong, DateTime> _rejectedUntil = [];
    private readonly TimeSpan _retry = retryRejected ?? TimeSpan.FromSeconds(60);

    public long Published { get; private set; }
    public long Acknowledged { get; private set; }
    public long Rejected { get; private set; }
    public bool Connected { get; private set; }
    public int InFlight => _inflight.Count;
    /// <summary>The last reason code the broker refused a message with (0 if none).</summary>
    public int LastRefusal { get; private set; }

    /// <summary>Handles what the connection reported, then publishes while there is room.</summary>
    public void Pump()
    {
        while (mqtt.Events.TryRead(out MqttEvent? e))
            Handle(e);
        if (_inflight.Count >= maxInflight)
            return;
        DateTime now = DateTime.UtcNow;
        foreach (SpoolRecord r in spool.Pending(maxInflight * 4 + _sent.Count))
        {
            if (_inflight.Count >= maxInflight)
                break;
            if (_sent.Contains(r.Seq) || (_rejectedUntil.TryGetValue(r.Seq, out DateTime until) && until > now))
                continue;
            int mid = mqtt.Publish(topic, r.Payload);
            _inflight[mid] = r.Seq;
            _sent.Add(r.Seq);
            Published++;
        }
    }

    private void Handle(MqttEvent e)
    {
        switch (e)
        {
            case MqttConnected c:
                Connected = c.ReasonCode == 0;
                break;
            case MqttDisconnected:
                Connected = false;
                break;
            case MqttAcked a when _inflight.Remove(a.Mid, out ulong seq):
                if (a.Accepted)
                {
                    spool.Ack(seq);
                    Acknowledged++;
                    _rejectedUntil.Remove(seq);
                }
                else
                {
                    // Refused (not authorised, quota...): keep it stored and try again later.
                    Rejected++;
                    LastRefusal = a.ReasonCode;
                    _sent.Remove(seq);
                    _rejectedUntil[seq] = DateTime.UtcNow + _retry;
                }
                break;
        }
    }
}
