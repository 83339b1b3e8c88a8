using CeAgent.Mqtt;

namespace CeAgent.TestKit;

/// <summary>
/// A test's own MQTT client on the project's MQTT stack, as one identity of a broker's test PKI:
/// subscribes, reconnects when the broker comes back, and acknowledges what it takes.
/// </summary>
public sealed class MqttTestClient : IDisposable
{
    private readonly List<string> _filters = [];
    public MqttLink Link { get; }

    private MqttTestClient(MqttLink link) => Link = link;

    /// <summary>Connected (or thrown trying) as <paramref name="identity"/>'s certificate under <paramref name="clientId"/>.</summary>
    public static MqttTestClient Connect(MosquittoBroker broker, string clientId, string? identity = null)
    {
        var c = new MqttTestClient(new MqttLink(Settings(broker, clientId, identity ?? clientId)));
        try
        {
            c.Reconnect();
        }
        catch
        {
            c.Dispose();
            throw;
        }
        return c;
    }

    public static MqttSettings Settings(MosquittoBroker broker, string clientId, string identity)
    {
        var (cert, key) = broker.Certs.Client(identity);
        return new MqttSettings(clientId, "127.0.0.1", broker.Port, broker.Certs.CaCert, cert, key);
    }

    public void Subscribe(string filter)
    {
        _filters.Add(filter);
        int[] codes = Link.SubscribeAsync([filter], Timeout()).GetAwaiter().GetResult();
        if (codes[0] >= 0x80)
            throw new InvalidOperationException($"subscription to {filter} refused (0x{codes[0]:x2})");
    }

    /// <summary>Everything delivered so far, acknowledged; reconnects (and subscribes again) if the connection is gone.</summary>
    public List<Delivery> Take()
    {
        if (!Link.IsConnected)
        {
            try
            {
                Reconnect();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return [];
            }
        }
        var got = new List<Delivery>();
        while (Link.NextAsync(TimeSpan.Zero, CancellationToken.None).GetAwaiter().GetResult() is { } d)
        {
            got.Add(d);
            try
            {
                d.AckAsync(Timeout()).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // the broker delivers it again
            }
        }
        return got;
    }

    private void Reconnect()
    {
        Link.ConnectAsync(Timeout()).GetAwaiter().GetResult();
        if (_filters.Count > 0)
            Link.SubscribeAsync(_filters, Timeout()).GetAwaiter().GetResult();
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(10_000).Token;

    public void Dispose() => Link.Dispose();
}
