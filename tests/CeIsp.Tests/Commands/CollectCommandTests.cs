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
        string config = IspCollector.WriteConfig(broker, kind, target, "collector",
            _ces.Select(ce => (ce.Id, "line-" + ce.Id, ce.Key.ExportSubjectPublicKeyInfoPem())));
        using var c1 = IspCollector.Start(config, "collector-1");
        using var c2 = IspCollector.Start(config, "collector-2");

        // The CEs publish at once, interleaved, each under its own certificate.
        Parallel.ForEach(_ces, ce => broker.PublishAll(ce.Id, $"ce/v1/{ce.Id}/summary", ce.Messages));
        int total = _ces.Sum(ce => ce.Messages.Count);
        using (SummaryStore store = SummaryStore.Open(kind, target))
        {
            for (int i = 0; i < 300 && store.Count("messages") < total; i++)
                Thread.Sleep(100);
            Assert.Equal(total, store.Count("messages"));
            Assert.Equal(total, store.Count("windows"));
        }
        var stopped = new[] { c1, c2 }.Select(IspCollector.Stop).ToList();
        Assert.All(stopped, s => Assert.Contains("rejected 0", s.Summary));
        Assert.Equal(total, stopped.Sum(s => s.Stored));
        Assert.All(stopped, s => Assert.True(s.Stored > total / 10, $"one collector stored only {s.Stored} of {total}: the load was not shared"));
        using (SummaryStore store = SummaryStore.Open(kind, target))
            foreach (Scenario.Ce ce in _ces)
                Assert.Empty(store.ChainEvents(ce.Id));
    }

    /// <summary>Today a crash between receiving and storing loses nothing: the collector acknowledges only
    /// what it stored. The store fails on one message (a trigger, as a full disk would); the collector stops
    /// without acknowledging it, and once restarted the broker, which kept the session, delivers it again.</summary>
    [RootFact("mosquitto", "openssl")]
    public void A_message_the_store_failed_on_is_not_acknowledged_and_the_broker_delivers_it_again()
    {
        using var broker = new MosquittoBroker(_certs);
        string db = Path.Combine(_certs.Dir, "failing.db");
        Scenario.Ce ce = _ces[0];
        string config = IspCollector.WriteConfig(broker, "sqlite", db, "collector", [(ce.Id, "line-p", ce.Key.ExportSubjectPublicKeyInfoPem())]);
        using (var first = IspCollector.Start(config, "collector-1"))
        {
            Sql(db, $"CREATE TRIGGER disk_full BEFORE INSERT ON messages WHEN NEW.seq = 5 BEGIN SELECT RAISE(ABORT, 'disk full'); END");
            broker.PublishAll(ce.Id, $"ce/v1/{ce.Id}/summary", ce.Messages);
            Assert.True(first.WaitForExit(30_000), "the collector went on after its store failed");
            Assert.Equal(4, first.ExitCode);
            Assert.Contains("not acknowledged", first.Stderr);
        }
        using (SummaryStore store = SummaryStore.Sqlite(db))
            Assert.Equal(4, store.Count("messages"));
        Sql(db, "DROP TRIGGER disk_full");
        using var second = IspCollector.Start(config, "collector-1");
        using (SummaryStore store = SummaryStore.Sqlite(db))
        {
            for (int i = 0; i < 300 && store.Count("messages") < ce.Messages.Count; i++)
                Thread.Sleep(100);
            Assert.Equal(ce.Messages.Count, store.Count("messages"));
            Assert.Empty(store.ChainEvents(ce.Id));
        }
        Assert.Contains("rejected 0", IspCollector.Stop(second).Summary);
    }

    /// <summary>Any CE with a broker certificate can retain a hostile state message, and every collector
    /// receives it again on every start: it is a counted rejection each time, and collection goes on.</summary>
    [RootFact("mosquitto", "openssl")]
    public void A_retained_hostile_state_message_is_rejected_on_every_start_and_collection_goes_on()
    {
        using var broker = new MosquittoBroker(_certs);
        Scenario.Ce ce = _ces[1];
        using (var publisher = MqttTestClient.Connect(broker, ce.Id + "-state", ce.Id))
            Assert.True(publisher.Link.PublishAsync($"ce/v1/{ce.Id}/state", "[]"u8.ToArray(), true, CancellationToken.None).GetAwaiter().GetResult() < 0x80);
        string db = Path.Combine(_certs.Dir, "hostile.db");
        string config = IspCollector.WriteConfig(broker, "sqlite", db, "collector", [(ce.Id, "line-q", ce.Key.ExportSubjectPublicKeyInfoPem())]);
        for (int start = 0; start < 2; start++)
        {
            using var collector = IspCollector.Start(config, "collector-1");
            if (start == 0)
                broker.PublishAll(ce.Id, $"ce/v1/{ce.Id}/summary", ce.Messages);
            Assert.True(collector.WaitForStderr(l => l.Contains("rejected malformed-state", StringComparison.Ordinal), 20_000), collector.Stderr);
            using (SummaryStore store = SummaryStore.Sqlite(db))
            {
                for (int i = 0; i < 300 && store.Count("messages") < ce.Messages.Count; i++)
                    Thread.Sleep(100);
                Assert.Equal(ce.Messages.Count, store.Count("messages"));
            }
            Assert.Contains("malformed-state 1", IspCollector.Stop(collector).Summary);
        }
    }

    private static void Sql(string db, string sql)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>A broker that refuses subscriptions (mosquitto never does): MQTTnet's server has no shared
    /// subscriptions (0x9e) and here also refuses the state topic as an ACL would (0x87). The collector stops
    /// at once with exit code 3 and names each filter, instead of running and storing nothing.</summary>
    [Fact]
    public void A_refused_subscription_stops_the_collector_with_the_filter_named()
    {
        using var broker = new RefusingBroker("ce/v1/+/state");
        string config = Path.Combine(_certs.Dir, "isp-refused.json");
        File.WriteAllText(config, $$"""
            { "store": { "kind": "sqlite", "target": "{{Path.Combine(_certs.Dir, "refused.db")}}" },
              "broker": { "host": "127.0.0.1", "port": {{broker.Port}} }, "auditLog": "{{Path.Combine(_certs.Dir, "audit.jsonl")}}" }
            """);
        using var collector = new BackgroundProc(Programs.PathOf("ce-isp"), ["collect", "--config", config, "--client-id", "c1", "--seconds", "60"]);
        Assert.True(collector.WaitForExit(30_000), "the collector ran on without its subscription: " + collector.Stderr);
        Assert.Equal(3, collector.ExitCode);
        Assert.True(collector.Stderr.Contains("the broker refused $share/ce-isp/ce/v1/+/summary (reason 0x9e", StringComparison.Ordinal), collector.Stderr);
        Assert.True(collector.Stderr.Contains("the broker refused ce/v1/+/state (reason 0x87", StringComparison.Ordinal), collector.Stderr);
        Assert.Equal(["ce/v1/+/state"], broker.Refused);
    }

    public void Dispose()
    {
        foreach (Scenario.Ce ce in _ces)
            ce.Key.Dispose();
        _certs.Dispose();
    }
}
