using System.Text.Json.Nodes;
using CeAgent.Interop.Mqtt;
using CeAgent.TestKit;
using CeIsp.Store;

namespace CeIsp.Tests.Commands;

/// <summary>
/// `ce-isp collect` as it runs at the ISP: real mosquitto with TLS client certificates, several
/// collectors on one MQTT v5 shared subscription writing to one store, CEs publishing under their own
/// identities. The broker hands each message to one collector, so messages of one chain arrive at
/// different collectors out of order: the chain must still come out whole, with no false gaps.
/// </summary>
public sealed class CollectCommandTests : IDisposable
{
    private const int Windows = 80;
    private readonly TestCerts _certs = new();
    private readonly List<Scenario.Ce> _ces = [.. new[] { ("ce-p", 7), ("ce-q", 8), ("ce-r", 9) }.Select(c => Scenario.NewCe(c.Item1, c.Item2))];

    public CollectCommandTests()
    {
        foreach (Scenario.Ce ce in _ces)
            Scenario.Flows(ce, [.. Enumerable.Range(0, Windows).Select(i => (i % 200, Scenario.D1, i * 60 + 5, i * 60 + 9))]);
    }

    [RootFact("mosquitto", "openssl")]
    public void Two_collectors_on_sqlite_split_the_load_and_keep_every_chain_whole() =>
        TwoCollectorsSplitTheLoad("sqlite", Path.Combine(_certs.Dir, "summaries.db"));

    [RootFact("mosquitto", "openssl", "runuser")]
    public void Two_collectors_on_postgres_split_the_load_and_keep_every_chain_whole()
    {
        Assert.True(Postgres.Missing is null, Postgres.Missing);
        using var pg = new Postgres();
        TwoCollectorsSplitTheLoad("postgres", pg.NewDatabase());
    }

    private void TwoCollectorsSplitTheLoad(string kind, string target)
    {
        using var broker = new MosquittoBroker(_certs);
        string config = Config(broker, kind, target, "collector");
        using var c1 = Collect(config, "collector-1");
        using var c2 = Collect(config, "collector-2");
        foreach (BackgroundProc c in new[] { c1, c2 })
            Assert.True(c.WaitForStderr(l => l.Contains("subscribed to $share/ce-isp/ce/v1/+/summary")), c.Stderr);

        // The CEs publish at once, interleaved, each under its own certificate.
        Parallel.ForEach(_ces, ce => Publish(broker, ce));
        int total = _ces.Sum(ce => ce.Messages.Count);
        using (SummaryStore store = SummaryStore.Open(kind, target))
        {
            for (int i = 0; i < 300 && store.Count("messages") < total; i++)
                Thread.Sleep(100);
            Assert.Equal(total, store.Count("messages"));
            Assert.Equal(total, store.Count("windows"));
        }
        var stored = new List<long>();
        foreach (BackgroundProc c in new[] { c1, c2 })
        {
            c.Signal(15);
            Assert.True(c.WaitForExit(10_000), "collector did not stop on SIGTERM");
            Assert.Equal(0, c.ExitCode);
            string summary = c.Stderr.Split('\n').Last(l => l.Contains("stored "));
            Assert.Contains("rejected 0", summary);
            stored.Add(long.Parse(summary.Split("stored ")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal(total, stored.Sum());
        Assert.All(stored, n => Assert.True(n > total / 10, $"one collector stored only {n} of {total}: the load was not shared ({string.Join(", ", stored)})"));
        using (SummaryStore store = SummaryStore.Open(kind, target))
            foreach (Scenario.Ce ce in _ces)
                Assert.Empty(store.ChainEvents(ce.Id));
    }

    private string Config(MosquittoBroker broker, string kind, string target, string identity)
    {
        var (cert, key) = _certs.Client(identity);
        var devices = new JsonArray([.. _ces.Select(ce => (JsonNode)new JsonObject
        {
            ["ceId"] = ce.Id, ["line"] = "line-" + ce.Id, ["publicKeyPem"] = ce.Key.ExportSubjectPublicKeyInfoPem(),
        })]);
        var json = new JsonObject
        {
            ["store"] = new JsonObject { ["kind"] = kind, ["target"] = target },
            ["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = broker.Port, ["caFile"] = _certs.CaCert, ["certFile"] = cert, ["keyFile"] = key },
            ["devices"] = devices,
            ["auditLog"] = Path.Combine(_certs.Dir, "audit.jsonl"),
        };
        string path = Path.Combine(_certs.Dir, $"isp-{identity}-{kind}.json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    private static BackgroundProc Collect(string config, string clientId) =>
        new(Programs.PathOf("ce-isp"), ["collect", "--config", config, "--client-id", clientId, "--seconds", "120"]);

    private void Publish(MosquittoBroker broker, Scenario.Ce ce)
    {
        var (cert, key) = _certs.Client(ce.Id);
        using var mqtt = new MqttClient(new MqttOptions(ce.Id, "127.0.0.1", broker.Port, _certs.CaCert, cert, key));
        var mids = ce.Messages.Select(m => mqtt.Publish($"ce/v1/{ce.Id}/summary", m)).ToHashSet();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (mids.Count > 0 && mqtt.Events.WaitToReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult())
            while (mqtt.Events.TryRead(out MqttEvent? e))
                if (e is MqttAcked a)
                {
                    Assert.True(a.Accepted, $"{ce.Id}: broker refused message {a.Mid} (0x{a.ReasonCode:x2})");
                    mids.Remove(a.Mid);
                }
    }

    public void Dispose()
    {
        foreach (Scenario.Ce ce in _ces)
            ce.Key.Dispose();
        _certs.Dispose();
    }
}
