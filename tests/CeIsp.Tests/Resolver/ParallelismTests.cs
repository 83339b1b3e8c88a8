using System.Text.Json;
using CeIsp.Resolver;
using CeIsp.Store;

namespace CeIsp.Tests.Resolver;

/// <summary>The resolver tests the CEs of an observation in parallel: its verdicts (result, candidates and
/// their order, evidence, notes, CEs without evidence, explanation) must be those of the sequential path.</summary>
public sealed class ParallelismTests(StoreServer server) : IClassFixture<StoreServer>, IDisposable
{
    private readonly List<Scenario.Ce> _ces = [];
    private SummaryStore? _store;

    /// <summary>Fifteen CEs on 192.0.2.18 (every PSID of the rule): most reach D1 at the same time, so most
    /// stay in across observations (the slow case); some also D2 or D4; some have a gap (their second message
    /// never arrives); all have records past the times asked.</summary>
    private SummaryStore ManyOnOneAddress(string kind) => ManyOnOneAddress(server.Open(kind));

    private SummaryStore ManyOnOneAddress(SummaryStore opened)
    {
        SummaryStore store = _store = opened;
        for (int psid = 1; psid <= 15; psid++)
        {
            var ce = Scenario.NewCe($"ce-{psid:d2}", psid);
            _ces.Add(ce);
            var flows = new List<(int, CeAgent.Shared.Summary.FlowKey, int, int)> { (0, Scenario.D3, 5, 6) };
            if (psid % 4 != 0)
                flows.Add((1, Scenario.D1, 10 + psid % 3, 20));
            if (psid % 2 == 1)
                flows.Add((2, Scenario.D2, 200, 210));
            if (psid % 3 == 0)
                flows.Add((3, Scenario.D4, 1000, 1400));
            flows.Add((4, Scenario.D3, 1500, 1501));
            Scenario.Flows(ce, [.. flows]);
            store.Enroll(new Device(ce.Id, "line-" + ce.Id, ce.Key.ExportSubjectPublicKeyInfoPem()));
        }
        var collector = new CeIsp.Collector.SummaryCollector(store, trustOnFirstUse: false);
        foreach (var ce in _ces)
            for (int i = 0; i < ce.Messages.Count; i++)
                if (!(ce.Psid % 5 == 0 && i == 1))
                    Assert.Equal(CeIsp.Collector.IngestOutcome.Stored, collector.Ingest($"ce/v1/{ce.Id}/summary", ce.Messages[i]).Outcome);
        return store;
    }

    public void Dispose()
    {
        _store?.Dispose();
        foreach (var ce in _ces)
            ce.Key.Dispose();
    }

    private static Observation Obs(long second, CeAgent.Shared.Summary.FlowKey dst, int? srcPort = null) => new()
    {
        Ip = "192.0.2.18",
        Time = DateTimeOffset.FromUnixTimeSeconds(Scenario.T0 + second),
        TimeAccuracyMs = 1000,
        SrcPort = srcPort,
        DstIp = dst.Destination.ToString(),
        DstPort = dst.Port,
        Proto = dst.Proto.ToString().ToLowerInvariant(),
    };

    private static string Resolve(SummaryStore store, int parallelism, Observation[] obs) =>
        JsonSerializer.Serialize(new AddressResolver(store, Scenario.MasterKey, parallelism).Resolve(new DisclosureRequest { Requester = "test", Observations = [.. obs] }),
            ResolverJson.Default.Verdict);

    [Theory, OnSqlite, OnPostgres]
    public void Parallel_verdicts_equal_the_sequential_ones(string kind)
    {
        SummaryStore store = ManyOnOneAddress(kind);
        Observation[][] requests =
        [
            [Obs(15, Scenario.D1)],
            [Obs(15, Scenario.D1), Obs(205, Scenario.D2)],
            [Obs(15, Scenario.D1), Obs(205, Scenario.D2), Obs(1390, Scenario.D4)],
            [Obs(1250, Scenario.D4)],
            [Obs(15, Scenario.D1, Scenario.PortOf(_ces[6], 1))],
            [Obs(700, Scenario.D2)],
        ];
        var kinds = new HashSet<VerdictKind>();
        foreach (Observation[] r in requests)
        {
            string sequential = Resolve(store, 1, r);
            kinds.Add(JsonSerializer.Deserialize(sequential, ResolverJson.Default.Verdict)!.Result);
            // More workers than this machine has cores: the CEs are tested concurrently whatever the host.
            foreach (int parallelism in new[] { 0, 4, 16 })
                Assert.Equal(sequential, Resolve(store, parallelism, r));
        }
        // The requests reach the verdicts that have candidates, evidence and notes to keep in order.
        Assert.Contains(VerdictKind.Ambiguous, kinds);
        Assert.Contains(VerdictKind.Unique, kinds);
    }

    /// <summary>The CEs are tested while the store is still being read: a message that cannot be read fails
    /// the request with its own error at every parallelism (not wrapped, not lost in a worker), and the
    /// workers stop with it.</summary>
    [Fact]
    public void A_stored_message_that_cannot_be_read_fails_the_request_alike_at_every_parallelism()
    {
        string path = Path.GetTempFileName();
        SummaryStore store = ManyOnOneAddress(SummaryStore.Sqlite(path));
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            db.Open();
            RawSql.Exec(db, "UPDATE messages SET signed = @b WHERE ce_id = 'ce-07'", ("b", new byte[] { 0x84, 0x40 }));
        }
        var errors = new[] { 1, 0, 4, 16 }.Select(parallelism => Record.Exception(() => Resolve(store, parallelism, [Obs(15, Scenario.D1)]))).ToList();
        Assert.All(errors, e => Assert.IsNotType<AggregateException>(e));
        Assert.All(errors, e => Assert.Equal((errors[0]!.GetType(), errors[0]!.Message), (e!.GetType(), e.Message)));
    }

    [Fact]
    public void A_negative_parallelism_is_refused_naming_it()
    {
        using var store = SummaryStore.Sqlite(Path.GetTempFileName());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AddressResolver(store, Scenario.MasterKey, -1));
        Assert.Equal("parallelism", e.ParamName);
    }
}
