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

    public void Dispose()
    {
        foreach (Scenario.Ce ce in _ces)
            ce.Key.Dispose();
        _certs.Dispose();
    }
}
