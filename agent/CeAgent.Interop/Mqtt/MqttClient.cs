using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace CeAgent.Interop.Mqtt;

/// <summary>What happened on the connection, in order, for the owner's thread to act on.</summary>
public abstract record MqttEvent;
public sealed record MqttConnected(int ReasonCode) : MqttEvent;
public sealed record MqttDisconnected(int ReasonCode) : MqttEvent;
/// <summary>The broker's PUBACK: a reason code below 0x80 means it took the message.</summary>
public sealed record MqttAcked(int Mid, int ReasonCode) : MqttEvent
{
    public bool Accepted => ReasonCode < 0x80;
}
/// <summary>The broker's SUBACK: one granted QoS (or a reason code of 0x80 and above: refused) per filter.</summary>
public sealed record MqttSubscribed(int Mid, int[] Granted) : MqttEvent
{
    public bool Accepted => Granted.All(g => g < 0x80);
}
public sealed record MqttReceived(string Topic, byte[] Payload, bool Retained) : MqttEvent;

public sealed record MqttOptions(
    string ClientId, string Host, int Port,
    string? CaFile = null, string? CertFile = null, string? KeyFile = null,
    int KeepaliveSeconds = 30, uint SessionExpirySeconds = 7 * 86400,
    string? WillTopic = null, byte[]? WillPayload = null);

/// <summary>
/// MQTT v5 over libmosquitto, made safe for managed code. The library's callbacks run on its own
/// thread: they only copy what they are given into a channel and never let an exception escape, so all
/// decisions happen on the owner's thread, in order. That order also defuses the trap that a PUBACK can
/// arrive before mosquitto_publish has returned its message id: the ack waits in the channel until the
/// owner has recorded the id. Clean start is off with a session expiry, so the broker and the library keep
/// QoS 1 messages in flight across reconnects; a publish that returns MOSQ_ERR_NO_CONN is already queued
/// and must not be sent again. Reconnects back off exponentially up to a minute.
/// </summary>
public sealed unsafe class MqttClient : IDisposable
{
    private static readonly object s_init = new();
    private static bool s_initialised;
    private readonly Channel<MqttEvent> _events = Channel.CreateUnbounded<MqttEvent>(new UnboundedChannelOptions { SingleReader = true });
    private GCHandle _self;
    private nint _mosq;

    public ChannelReader<MqttEvent> Events => _events.Reader;
    public bool Connected { get; private set; }

    public MqttClient(MqttOptions o)
    {
        lock (s_init)
        {
            if (!s_initialised)
                Mosquitto.LibInit();
            s_initialised = true;
        }
        _self = GCHandle.Alloc(this);
        _mosq = Mosquitto.New(o.ClientId, cleanSession: false, GCHandle.ToIntPtr(_self));
        if (_mosq == 0)
            throw new IOException($"mosquitto_new failed for client id '{o.ClientId}'");
        Check(Mosquitto.IntOption(_mosq, Mosquitto.OptProtocolVersion, Mosquitto.ProtocolV5), "protocol v5");
        if (o.CaFile is not null)
            Check(Mosquitto.TlsSet(_mosq, o.CaFile, null, o.CertFile, o.KeyFile, 0), $"TLS files (ca {o.CaFile}, cert {o.CertFile}, key {o.KeyFile})");
        if (o.WillTopic is not null)
            fixed (byte* p = o.WillPayload ?? [])
                Check(Mosquitto.WillSet(_mosq, o.WillTopic, o.WillPayload?.Length ?? 0, p, 1, true, 0), "last will");
        Check(Mosquitto.ReconnectDelaySet(_mosq, 1, 60, true), "reconnect delay");
        Mosquitto.ConnectCallbackSet(_mosq, &OnConnect);
        Mosquitto.DisconnectCallbackSet(_mosq, &OnDisconnect);
        Mosquitto.PublishCallbackSet(_mosq, &OnPublish);
        Mosquitto.MessageCallbackSet(_mosq, &OnMessage);
        Mosquitto.SubscribeCallbackSet(_mosq, &OnSubscribe);
        nint props = 0;
        Mosquitto.PropertyAddInt32(&props, Mosquitto.PropSessionExpiryInterval, o.SessionExpirySeconds);
        // A broker that is down now is not an error: the loop thread keeps reconnecting.
        Mosquitto.Connect(_mosq, o.Host, o.Port, o.KeepaliveSeconds, null, props);
        Mosquitto.PropertyFreeAll(&props);
        Check(Mosquitto.LoopStart(_mosq), "loop start");
    }

    /// <summary>Queues a QoS 1 publish. Returns the message id; its MqttAcked follows on <see cref="Events"/>.</summary>
    public int Publish(string topic, ReadOnlySpan<byte> payload, bool retain = false)
    {
        int mid;
        int rc;
        fixed (byte* p = payload)
            rc = Mosquitto.Publish(_mosq, &mid, topic, payload.Length, p, 1, retain, 0);
        if (rc is not (Mosquitto.Success or Mosquitto.ErrNoConn))
            throw new IOException($"publish to {topic}: {Mosquitto.Describe(rc)}");
        return mid;
    }

    /// <summary>Subscribes at QoS 1. Returns the message id; its MqttSubscribed follows on <see cref="Events"/>.</summary>
    public int Subscribe(string pattern)
    {
        int mid;
        int rc = Mosquitto.Subscribe(_mosq, &mid, pattern, 1, 0, 0);
        if (rc is not (Mosquitto.Success or Mosquitto.ErrNoConn))
            throw new IOException($"subscribe {pattern}: {Mosquitto.Describe(rc)}");
        return mid;
    }

    private void Check(int rc, string what)
    {
        if (rc != Mosquitto.Success)
            throw new IOException($"mqtt {what}: {Mosquitto.Describe(rc)}");
    }

    private static MqttClient? From(nint obj) => obj == 0 ? null : GCHandle.FromIntPtr(obj).Target as MqttClient;

    [UnmanagedCallersOnly]
    private static void OnConnect(nint mosq, nint obj, int rc, int flags, nint props) => Post(obj, c =>
    {
        c.Connected = rc == 0;
        return new MqttConnected(rc);
    });

    [UnmanagedCallersOnly]
    private static void OnDisconnect(nint mosq, nint obj, int rc, nint props) => Post(obj, c =>
    {
        c.Connected = false;
        return new MqttDisconnected(rc);
    });

    [UnmanagedCallersOnly]
    private static void OnPublish(nint mosq, nint obj, int mid, int reason, nint props) => Post(obj, _ => new MqttAcked(mid, reason));

    [UnmanagedCallersOnly]
    private static void OnSubscribe(nint mosq, nint obj, int mid, int count, int* granted, nint props) =>
        Post(obj, _ => new MqttSubscribed(mid, new ReadOnlySpan<int>(granted, count).ToArray()));

    [UnmanagedCallersOnly]
    private static void OnMessage(nint mosq, nint obj, MosquittoMessage* m, nint props) => Post(obj, _ =>
        new MqttReceived(Marshal.PtrToStringUTF8(m->Topic) ?? "", new ReadOnlySpan<byte>((void*)m->Payload, m->PayloadLength).ToArray(), m->Retain));

    /// <summary>Runs on libmosquitto's thread: whatever happens, nothing may cross back into C.</summary>
    private static void Post(nint obj, Func<MqttClient, MqttEvent> make)
    {
        try
        {
            if (From(obj) is { } c)
                c._events.Writer.TryWrite(make(c));
        }
        catch (Exception e)
        {
            try
            {
                Console.Error.WriteLine($"mqtt callback failed: {e.Message}");
            }
            catch (IOException)
            {
            }
        }
    }

    public void Dispose()
    {
        if (_mosq == 0)
            return;
        Mosquitto.Disconnect(_mosq, 0, 0);
        Mosquitto.LoopStop(_mosq, false);
        Mosquitto.Destroy(_mosq);
        _mosq = 0;
        _self.Free();
        _events.Writer.TryComplete();
    }
}
