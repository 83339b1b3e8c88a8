using CeAgent.Aggregation;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Secrets;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;
using CeIsp.Collector;
using CeIsp.Resolver;
using CeIsp.Store;

namespace CeIsp.Tests.Resolver;

/// <summary>What the resolver makes of a CE that crashed with an interval open across signed windows and
/// restored it (issue 19): the access is found, and the crash's window, declared incomplete, rules nobody out.</summary>
public sealed class CrashWindowTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ce-crash-").FullName;
    private static readonly ClockQuality Good = new(ClockSource.Ntp, true, 20);
    private const long T0 = Scenario.T0;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>D1 open from T0+10 s; the agent dies in the window at T0+120 s; the restarted one restores
    /// (with or without the snapshot) and later sees D2 at T0+900 s.</summary>
    private SummaryStore Crashed(bool restore)
    {
        Scenario.Ce ce = Scenario.NewCe("ce-a", 1);
        byte[] key = FilterKeys.Derive(Scenario.MasterKey, ce.Id, Scenario.Epoch);
        var chain = new ChainSigner(ce.Id, MapeContext.From(ce.Mape), ce.Key) { FilterKeyEpoch = Scenario.Epoch };
        var first = new WindowAggregator(ce.Mape.Ports, key, 60);
        first.SetClock(Good);
        first.Open(Proto.Tcp, Scenario.PortOf(ce, 0), Scenario.D1, (T0 + 10) * 1000);
        first.Advance((T0 + 130) * 1000, Good);
        OpenIntervalSnapshot snapshot = first.OpenIntervals();
        var second = new WindowAggregator(ce.Mape.Ports, key, 60);
        second.SetClock(Good);
        if (restore)
            second.Restore(OpenIntervalCodec.Decode(OpenIntervalCodec.Encode(snapshot)), (T0 + 700) * 1000, T0 + 60);
        second.EndRestored(); // the power cut emptied the conntrack table
        second.Open(Proto.Tcp, Scenario.PortOf(ce, 1), Scenario.D2, (T0 + 900) * 1000);
        second.Close(Proto.Tcp, Scenario.PortOf(ce, 1), Scenario.D2, (T0 + 905) * 1000);
        second.Flush(Good);
        var windows = new List<WindowSummary>();
        foreach (WindowAggregator a in new[] { first, second })
            while (a.TryTake(out WindowSummary w))
                windows.Add(w);
        SummaryStore store = SummaryStore.Open("sqlite", Path.Combine(_dir, $"s-{restore}.db"));
        store.Enroll(new Device(ce.Id, "line-a", ce.Key.ExportSubjectPublicKeyInfoPem()));
        var collector = new CeIsp.Collector.SummaryCollector(store, trustOnFirstUse: false);
        foreach (WindowSummary w in windows)
            Assert.Equal(IngestOutcome.Stored, collector.Ingest($"ce/v1/{ce.Id}/summary", chain.Sign([w])).Outcome);
        ce.Key.Dispose();
        return store;
    }

    private static Verdict Resolve(SummaryStore store, FlowKey dst, long second) =>
        new CeIsp.Resolver.AddressResolver(store, Scenario.MasterKey).Resolve(new DisclosureRequest
        {
            Requester = "test",
            Observations = [new Observation { Ip = "192.0.2.18", Time = DateTimeOffset.FromUnixTimeSeconds(T0 + second), TimeAccuracyMs = 1000, DstIp = dst.Destination.ToString(), DstPort = dst.Port, Proto = "tcp" }],
        });

    [Fact]
    public void The_restored_interval_names_the_ce_and_the_crash_window_rules_nobody_out()
    {
        using SummaryStore store = Crashed(restore: true);
        Verdict found = Resolve(store, Scenario.D1, 70);
        Assert.True(found.Result == VerdictKind.Unique && found.Line == "line-a", found.Explanation);
        Verdict nobody = Resolve(store, Scenario.D4, 70);
        Assert.Equal(VerdictKind.Unknown, nobody.Result);
        Assert.Contains("incomplete", Assert.Single(nobody.NoEvidence).Why);
    }

    [Fact]
    public void Without_the_snapshot_the_same_access_is_wrongly_ruled_out()
    {
        using SummaryStore store = Crashed(restore: false);
        Assert.Equal(VerdictKind.None, Resolve(store, Scenario.D1, 70).Result);
    }
}
