using System.Diagnostics;
using CeAgent.Mqtt;
using CeAgent.Spool;
using CeAgent.TestKit;
using CeAgent.Transport;

namespace CeAgent.Tests.Transport;

/// <summary>Spool to a real mosquitto over TLS with client certificates.</summary>
public sealed class TransportTests : IDisposable
{
    private readonly TestCerts _certs = new();
    private readonly string _spoolDir = Path.Combine(Path.GetTempPath(), "ce-spool-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _certs.Dispose();
        if (Directory.Exists(_spoolDir))
            Directory.Delete(_spoolDir, true);
    }

    private static MqttLink Publisher(MosquittoBroker b, string id) => new(MqttTestClient.Settings(b, id, id));

    /// <summary>Collects what the collector identity receives, keyed by the first 8 payload bytes.</summary>
    private static void Drain(MqttTestClient c, Dictionary<string, int> got)
    {
        foreach (Delivery m in c.Take())
            got[Convert.ToHexString(m.Payload, 0, 8)] = got.GetValueOrDefault(Convert.ToHexString(m.Payload, 0, 8)) + 1;
    }

    private static SpoolRecord Rec(ulong seq) => new(seq, [.. BitConverter.GetBytes(seq), .. new byte[200]]);

    private static bool Until(Func<bool> condition, int timeoutMs, Action step)
    {
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < timeoutMs)
        {
            step();
            if (condition())
                return true;
            Thread.Sleep(20);
        }
        return false;
    }

    [RootFact("mosquitto", "openssl")]
    public void Every_message_arrives_across_a_broker_restart()
    {
        using var broker = new MosquittoBroker(_certs);
        using var collector = MqttTestClient.Connect(broker, "collector");
        collector.Subscribe("ce/v1/+/summary");
        using var spool = new DurableSpool(_spoolDir, 1 << 20, 8192);
        using var ce = Publisher(broker, "ce-0001");
        var pub = new SpoolPublisher(spool, ce, "ce/v1/ce-0001/summary");
        var got = new Dictionary<string, int>();

        for (ulong i = 1; i <= 100; i++)
        {
            spool.Append([Rec(i)]);
            pub.Pump();
            Drain(collector, got);
            if (i == 40)
            {
                broker.Stop(); // mid-stream: messages keep going into the spool
                for (ulong k = 0; k < 3; k++)
                    pub.Pump();
            }
            if (i == 70)
                broker.Start();
            Thread.Sleep(10);
        }
        Assert.True(Until(() => spool.PendingCount == 0 && got.Count == 100, 60_000, () => { pub.Pump(); Drain(collector, got); }),
            $"pending {spool.PendingCount}, received {got.Count} of 100; {File.ReadAllText(broker.Log)}");
        Assert.Equal(100, got.Keys.Count);
        Assert.True(pub.InFlight == 0);
    }

    [RootFact("mosquitto", "openssl")]
    public void A_ce_cannot_publish_under_another_ces_id()
    {
        using var broker = new MosquittoBroker(_certs);
        using var collector = MqttTestClient.Connect(broker, "collector");
        collector.Subscribe("ce/v1/+/summary");
        using var spool = new DurableSpool(_spoolDir, 1 << 20, 8192);
        using var ce = Publisher(broker, "ce-0001");
        var pub = new SpoolPublisher(spool, ce, "ce/v1/ce-0002/summary"); // the other CE's topic
        spool.Append([Rec(1)]);
        var got = new Dictionary<string, int>();
        Assert.True(Until(() => pub.Rejected > 0, 10_000, () => { pub.Pump(); Drain(collector, got); }), "the broker did not refuse");
        Assert.Equal(0x87, pub.LastRefusal); // MQTT v5: not authorised
        Thread.Sleep(300);
        Drain(collector, got);
        Assert.Empty(got);
        Assert.Equal(1, spool.PendingCount); // kept, not lost
    }

    [RootFact("mosquitto", "openssl")]
    public void A_client_without_a_certificate_of_the_ca_is_refused()
    {
        using var broker = new MosquittoBroker(_certs);
        using var strangers = new TestCerts(); // another CA
        var (cert, key) = strangers.Client("ce-0001");
        using var c = new MqttLink(new MqttSettings("ce-0001", "127.0.0.1", broker.Port, _certs.CaCert, cert, key));
        Assert.ThrowsAny<Exception>(() => c.ConnectAsync(new CancellationTokenSource(10_000).Token).GetAwaiter().GetResult());
        Assert.False(c.IsConnected);
    }

    [RootFact("mosquitto", "openssl")]
    public void A_broker_whose_certificate_is_not_of_the_configured_ca_is_refused()
    {
        using var broker = new MosquittoBroker(_certs);
        using var strangers = new TestCerts(); // the CE trusts only this CA, the broker's is another
        var (cert, key) = _certs.Client("ce-0001");
        using var c = new MqttLink(new MqttSettings("ce-0001", "127.0.0.1", broker.Port, strangers.CaCert, cert, key));
        Assert.ThrowsAny<Exception>(() => c.ConnectAsync(new CancellationTokenSource(10_000).Token).GetAwaiter().GetResult());
        Assert.False(c.IsConnected);
    }

    [Fact]
    public void Missing_or_broken_tls_files_fail_at_start_naming_the_files()
    {
        string bad = Path.Combine(Path.GetTempPath(), "ce-bad-" + Guid.NewGuid().ToString("N") + ".pem");
        File.WriteAllText(bad, "not a certificate");
        try
        {
            var e = Assert.Throws<IOException>(() => new MqttLink(new MqttSettings("ce-1", "127.0.0.1", 8883, "/nonexistent/ca.crt")));
            Assert.Contains("/nonexistent/ca.crt", e.Message);
            e = Assert.Throws<IOException>(() => new MqttLink(new MqttSettings("ce-1", "127.0.0.1", 8883, bad)));
            Assert.Contains("no certificate in the CA file", e.Message);
        }
        finally
        {
            File.Delete(bad);
        }
    }
}
