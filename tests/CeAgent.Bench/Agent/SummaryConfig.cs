using System.Net;
using System.Security.Cryptography;
using CeAgent.Aggregation;
using CeAgent.Bench.Baselines;
using CeAgent.Bench.Evaluation;
using CeAgent.Bench.Queries;
using CeAgent.Bench.Workload;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;

namespace CeAgent.Bench.Agent;

/// <summary>
/// The real thing: every household's flows go through the agent's WindowAggregator, the windows are
/// encoded, batched and signed as the CE would publish them (bytes counted from the signed messages),
/// and requests are answered with the resolver's own window test (WindowMatch).
/// </summary>
public sealed record SummaryConfig(int WindowSeconds, int P, int Batch, uint ClockErrorMs = 50) : IAgentConfig
{
    /// <summary>The simulated day's UTC midnight (2026-11-18).</summary>
    public const long DayStartMs = 1_794_960_000_000;
    public static readonly byte[] FilterKey = [.. Enumerable.Range(0, 16).Select(i => (byte)(0x5a ^ i))];

    /// <summary>The MAP-E context household h's CE signs into its summaries: all share 192.0.2.18 under a
    /// v6plus-shaped rule, the household's index is its PSID.</summary>
    public static MapeContext Context(WorkloadParams p, int household) =>
        new(0xC0000212, 32, household, MapRule.Parse("2001:db8::/40", "192.0.2.0/24", 8 + p.PsidLength, p.PsidOffset));

    public string Describe() => $"summaries, {WindowSeconds} s windows, P={P}, {Batch} window(s) a message";

    public AgentOutcome Record(World world, SessionIndex index)
    {
        int n = world.Params.Households;
        var windows = new Dictionary<long, WindowSummary>[n];
        var bytes = new double[n];
        var clock = new ClockQuality(ClockSource.Ntp, true, ClockErrorMs);
        Parallel.For(0, n, () => ECDsa.Create(ECCurve.NamedCurves.nistP256), (h, _, key) =>
        {
            var ports = PortSet.For(world.Params.PsidOffset, world.Params.PsidLength, h);
            var list = Aggregate(world.Flows[h], ports, clock);
            windows[h] = list.ToDictionary(w => w.StartUnix);
            bytes[h] = SignedBytes(list, Context(world.Params, h), key) * world.Params.DayScale;
            return key;
        }, key => key.Dispose());
        return new AgentOutcome(Describe(), new Source(this, windows, world.Params), bytes);
    }

    /// <summary>One household's day through the agent's aggregator, windows in order.</summary>
    /// <param name="filterKey">The CE's own key (the ISP benchmark derives one per CE); the shared bench key by default.</param>
    public List<WindowSummary> Aggregate(Flow[] flows, PortSet ports, ClockQuality clock, byte[]? filterKey = null)
    {
        var agg = new WindowAggregator(ports, filterKey ?? FilterKey, WindowSeconds, P);
        agg.SetClock(clock);
        var events = new List<(long At, int Flow, bool Open)>(flows.Length * 2);
        for (int i = 0; i < flows.Length; i++)
        {
            events.Add((DayStartMs + flows[i].StartMs, i, true));
            events.Add((DayStartMs + flows[i].EndMs, i, false));
        }
        events.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : b.Open.CompareTo(a.Open));
        var result = new List<WindowSummary>();
        foreach (var (at, i, open) in events)
        {
            if (open)
                agg.Open((Proto)flows[i].Dest.Proto, flows[i].PublicPort, Key(flows[i].Dest), at);
            else
                agg.Close((Proto)flows[i].Dest.Proto, flows[i].PublicPort, Key(flows[i].Dest), at);
            while (agg.TryTake(out WindowSummary w))
                result.Add(w);
        }
        agg.Flush(clock);
        while (agg.TryTake(out WindowSummary w))
            result.Add(w);
        return result;
    }

    private long SignedBytes(List<WindowSummary> windows, MapeContext ctx, ECDsa key)
    {
        long total = 0;
        var chain = new ChainSigner("ce-bench-0001", ctx, key);
        for (int i = 0; i < windows.Count; i += Batch)
            total += chain.Sign(windows.GetRange(i, Math.Min(Batch, windows.Count - i))).Length;
        return total;
    }

    internal static FlowKey Key(DestKey d) =>
        new(new IPAddress([(byte)(d.Ip >> 24), (byte)(d.Ip >> 16), (byte)(d.Ip >> 8), (byte)d.Ip]), d.Port, (Proto)d.Proto);

    /// <summary>The same summaries asked under a filter key they were not built with: no true entry can
    /// match, so every candidate is a false positive of the filter. Measures the false candidates a query
    /// meets across the other households and all the windows it searches.</summary>
    public static IAttributionSource UnderForeignKey(IAttributionSource source) =>
        source is Source s ? new Source(s.Config, s.Windows, s.Params, [.. FilterKey.Select(b => (byte)~b)]) : throw new ArgumentException("not a summary source");

    private sealed class Source(SummaryConfig c, Dictionary<long, WindowSummary>[] windows, WorkloadParams p, byte[]? key = null) : IAttributionSource
    {
        public SummaryConfig Config => c;
        public Dictionary<long, WindowSummary>[] Windows => windows;
        public WorkloadParams Params => p;
        private readonly byte[] _key = key ?? FilterKey;

        public string Name => key is null ? c.Describe() : c.Describe() + ", foreign key";

        public HouseholdSet Candidates(Observation o) => Candidates(o, HouseholdSet.All(windows.Length));

        public HouseholdSet Candidates(Observation o, HouseholdSet among)
        {
            var set = new HouseholdSet();
            long from = DayStartMs + o.FromMs, to = DayStartMs + o.ToMs;
            // The windows at that time, and those after it that can list an interval alive then.
            long firstWindow = (from - c.ClockErrorMs) / 1000 / c.WindowSeconds;
            long lastWindow = (to + c.ClockErrorMs + WindowMatch.LookaheadMs((uint)c.WindowSeconds)) / 1000 / c.WindowSeconds;
            FlowKey dst = Key(o.Dest);
            var near = new List<WindowSummary>();
            for (int h = 0; h < windows.Length; h++)
            {
                if (!among.Contains(h))
                    continue;
                near.Clear();
                for (long w = firstWindow; w <= lastWindow; w++)
                    if (windows[h].TryGetValue(w * c.WindowSeconds, out WindowSummary? s))
                        near.Add(s);
                if (WindowMatch.Test(near, PortSet.For(p.PsidOffset, p.PsidLength, h), _key, dst, o.SourcePort, from, to).Matched)
                    set.Add(h);
            }
            return set;
        }
    }
}
