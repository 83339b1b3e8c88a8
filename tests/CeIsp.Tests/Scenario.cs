using CeIsp.Collector;
using System.Net;
using System.Security.Cryptography;
using CeAgent.Aggregation;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Secrets;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;
using CeIsp.Store;

namespace CeIsp.Tests;

/// <summary>
/// Three CEs sharing 192.0.2.18 (v6plus rule, PSIDs 1, 2, 3), their flows turned into windows by the
/// agent's own WindowAggregator and signed as the agent signs them.
/// </summary>
public sealed class Scenario : IDisposable
{
    public const long T0 = 1_795_000_020; // a window boundary (UTC seconds)
    /// <summary>The resolver's master key; each CE's filter key is derived from it (docs/privacy.md).</summary>
    public static readonly byte[] MasterKey = [.. Enumerable.Range(0, 32).Select(i => (byte)(i + 100))];
    public const uint Epoch = 1;
    public static readonly MapRule Rule = MapRule.Parse("2001:db8::/40", "192.0.2.0/24", 16, 4);
    public static readonly FlowKey D1 = new(IPAddress.Parse("203.0.113.10"), 443, Proto.Tcp);
    public static readonly FlowKey D2 = new(IPAddress.Parse("203.0.113.20"), 443, Proto.Tcp);
    public static readonly FlowKey D3 = new(IPAddress.Parse("198.51.100.53"), 53, Proto.Udp);
    public static readonly FlowKey D4 = new(IPAddress.Parse("203.0.113.40"), 443, Proto.Tcp);

    public sealed record Ce(string Id, int Psid, ECDsa Key, MapeParams Mape, List<byte[]> Messages);

    public List<Ce> Ces { get; } = [];

    public Scenario()
    {
        foreach (var (id, psid) in new[] { ("ce-a", 1), ("ce-b", 2), ("ce-c", 3) })
            Ces.Add(NewCe(id, psid));
        // (ce, public port index, destination, start s, end s after T0)
        Flows(Ces[0], [(0, D1, 10, 20), (1, D2, 200, 210), (2, D4, 1000, 1400)]);
        // The last flows (1500 s) only extend the CEs' records past the times the tests ask about: a CE whose
        // records end before an observation is unknown there, not ruled out.
        Flows(Ces[1], [(0, D1, 12, 30), (1, D4, 1205, 1210), (2, D2, 1500, 1501)]);
        Flows(Ces[2], [(0, D3, 15, 16), (1, D3, 400, 401), (2, D3, 800, 801), (0, D1, 1500, 1501)]);
    }

    public static Ce NewCe(string id, int psid) =>
        new(id, psid, ECDsa.Create(ECCurve.NamedCurves.nistP256), MapeCalculator.Derive(Rule, Ipv6Prefix.Parse($"2001:db8:12:{psid:x2}00::/56", "prefix")), []);

    public static int PortOf(Ce ce, int index) => ce.Mape.Ports.PortAt(index);

    /// <summary>Turns the CE's flows (public port index, destination, seconds after T0) into its signed chain.</summary>
    /// <param name="perMessage">Windows a message (the agent's batch).</param>
    public static void Flows(Ce ce, (int Port, FlowKey Dst, int From, int To)[] flows, uint epoch = Epoch, byte[]? filterKey = null, int perMessage = 1)
    {
        var agg = new WindowAggregator(ce.Mape.Ports, filterKey ?? FilterKeys.Derive(MasterKey, ce.Id, epoch), 60);
        agg.SetClock(new ClockQuality(ClockSource.Ntp, true, 20));
        var events = flows.SelectMany((f, i) => new[] { (At: T0 + f.From, Open: true, I: i), (At: T0 + f.To, Open: false, I: i) }).OrderBy(e => e.At);
        foreach (var e in events)
            if (e.Open)
                agg.Open(flows[e.I].Dst.Proto, PortOf(ce, flows[e.I].Port), flows[e.I].Dst, e.At * 1000);
            else
                agg.Close(flows[e.I].Dst.Proto, PortOf(ce, flows[e.I].Port), flows[e.I].Dst, e.At * 1000);
        agg.Flush(new ClockQuality(ClockSource.Ntp, true, 20));
        var chain = new ChainSigner(ce.Id, MapeContext.From(ce.Mape), ce.Key, (ulong)ce.Messages.Count,
            ce.Messages.Count > 0 ? SummaryChain.Hash(ce.Messages[^1]) : null) { FilterKeyEpoch = epoch };
        var windows = new List<WindowSummary>();
        while (agg.TryTake(out WindowSummary w))
            windows.Add(w);
        for (int i = 0; i < windows.Count; i += perMessage)
            ce.Messages.Add(chain.Sign(windows.GetRange(i, Math.Min(perMessage, windows.Count - i))));
    }

    public void Enroll(SummaryStore store)
    {
        foreach (Ce ce in Ces)
            store.Enroll(new Device(ce.Id, "line-" + ce.Id[3..], ce.Key.ExportSubjectPublicKeyInfoPem()));
    }

    /// <summary>A SQLite store at <paramref name="db"/> with every CE enrolled and the given CEs' messages collected.</summary>
    public (SummaryStore Store, SummaryCollector Collector) Collect(string db, IEnumerable<Ce> ces,
        IReadOnlyDictionary<string, string>? nextKeys = null, bool trustOnFirstUse = false)
    {
        SummaryStore store = SummaryStore.Open("sqlite", db);
        Enroll(store);
        var collector = new SummaryCollector(store, trustOnFirstUse) { NextKeys = nextKeys ?? new Dictionary<string, string>() };
        foreach (Ce ce in ces)
            foreach (byte[] m in ce.Messages)
                if (collector.Ingest($"ce/v1/{ce.Id}/summary", m).Outcome != CeIsp.Collector.IngestOutcome.Stored)
                    throw new InvalidOperationException($"{ce.Id}: a scenario message was not stored");
        return (store, collector);
    }

    public void Dispose()
    {
        foreach (Ce ce in Ces)
            ce.Key.Dispose();
    }
}
