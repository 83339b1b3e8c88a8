using CeAgent.Aggregation;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;
using static CeAgent.Tests.Aggregation.AggregatorFixture;

namespace CeAgent.Tests.Aggregation;

public class WindowAggregatorTests
{
    private const long T0 = 1_795_000_020_000; // a window boundary, in ms

    private static bool Bit(WindowSummary w, Proto p, int index) =>
        w.Protocols.Single(u => u.Proto == p).PortBitmap[index >> 3] is var b && (b & (0x80 >> (index & 7))) != 0;

    [Fact]
    public void A_flow_counts_in_every_window_it_is_alive()
    {
        var a = new WindowAggregator(Ports, Key);
        a.SetClock(Good);
        a.Open(Proto.Tcp, Ports.PortAt(5), Dst(1), T0 + 10_000);
        a.Close(Proto.Tcp, Ports.PortAt(5), Dst(1), T0 + 150_000);
        a.Advance(T0 + 300_000, Good);
        List<WindowSummary> ws = Drain(a);
        Assert.Equal([T0 / 1000, T0 / 1000 + 60, T0 / 1000 + 120], ws.Select(w => w.StartUnix));
        Assert.All(ws, w => Assert.True(Bit(w, Proto.Tcp, 5)));
        // The destination's interval is listed once, in the window it ends in, to the second.
        Assert.Equal([0, 0, 1], ws.Select(w => w.Filter.Count));
        Assert.Equal([new Listed(T0 / 1000 + 10, T0 / 1000 + 150)], Listed(ws[2], Dst(1)));
        Assert.Equal([1u, 0u, 0u], ws.Select(w => w.Protocols[0].NewFlows));
        Assert.All(ws, w => Assert.Equal(Good, w.Clock));
    }

    [Fact]
    public void Idle_windows_produce_nothing()
    {
        var a = new WindowAggregator(Ports, Key);
        a.Open(Proto.Udp, Ports.PortAt(0), Dst(1), T0);
        a.Close(Proto.Udp, Ports.PortAt(0), Dst(1), T0 + 1_000);
        a.Open(Proto.Udp, Ports.PortAt(1), Dst(2), T0 + 600_000);
        a.Close(Proto.Udp, Ports.PortAt(1), Dst(2), T0 + 601_000);
        a.Advance(T0 + 3_600_000, Good);
        Assert.Equal([T0 / 1000, T0 / 1000 + 600], Drain(a).Select(w => w.StartUnix));
    }

    [Fact]
    public void Peak_counts_ports_not_flows_and_new_flows_are_per_window()
    {
        var a = new WindowAggregator(Ports, Key);
        a.Open(Proto.Tcp, Ports.PortAt(0), Dst(1), T0 + 1);
        a.Open(Proto.Tcp, Ports.PortAt(0), Dst(2), T0 + 2); // same public port, other destination
        a.Open(Proto.Tcp, Ports.PortAt(1), Dst(3), T0 + 3);
        a.Close(Proto.Tcp, Ports.PortAt(0), Dst(1), T0 + 4);
        a.Close(Proto.Tcp, Ports.PortAt(1), Dst(3), T0 + 5);
        a.Open(Proto.Tcp, Ports.PortAt(2), Dst(4), T0 + 6);
        a.Advance(T0 + 60_000, Good);
        WindowSummary w = Assert.Single(Drain(a));
        ProtoUsage tcp = Assert.Single(w.Protocols);
        Assert.Equal(4u, tcp.NewFlows);
        Assert.Equal(2u, tcp.PeakPorts);
        Assert.True(Bit(w, Proto.Tcp, 0) && Bit(w, Proto.Tcp, 1) && Bit(w, Proto.Tcp, 2));
        Assert.False(Bit(w, Proto.Tcp, 3));
        Assert.Equal(2, w.Filter.Count); // the two destinations whose flows ended; the others are still open
    }

    [Fact]
    public void Losses_alone_make_a_window_and_counters_reset()
    {
        var a = new WindowAggregator(Ports, Key);
        a.CountLost(17, T0 + 5);
        a.CountResync(T0 + 6);
        a.CountExhausted(2, T0 + 7);
        a.Advance(T0 + 180_000, Good);
        WindowSummary w = Assert.Single(Drain(a));
        Assert.Equal((17u, 1u, 2u), (w.LostEvents, w.Resyncs, w.Exhausted));
        Assert.Empty(w.Protocols);
        Assert.Equal(0, w.Filter.Count);
    }

    [Fact]
    public void Ports_outside_the_set_are_ignored()
    {
        // Repeated opens of one flow (the start-up dump overlapping the subscription) are the tracker's to
        // drop, since the tracker holds the one table of flows: FlowTrackerTests.Duplicate_opens_from_the_startup_dump_count_once.
        var a = new WindowAggregator(Ports, Key);
        a.Open(Proto.Tcp, 80, Dst(1), T0);
        a.Open(Proto.Tcp, Ports.PortAt(9), Dst(2), T0);
        a.Close(Proto.Tcp, 80, Dst(1), T0 + 1); // never opened here: nothing to close
        Assert.Equal(1, a.OutsideSet);
        Assert.Equal(1, a.OpenFlows);
        a.Flush(Good);
        WindowSummary w = Assert.Single(Drain(a));
        Assert.Equal(1u, w.Protocols[0].NewFlows);
    }

    [Fact]
    public void Summaries_encode_under_the_real_codec()
    {
        var a = new WindowAggregator(Ports, Key);
        a.Open(Proto.Icmp, Ports.PortAt(3), Dst(1), T0);
        a.Flush(Good);
        WindowSummary w = Assert.Single(Drain(a));
        var ctx = new MapeContext(0xC0000212, 32, 0x34, MapRule.Parse("2001:db8::/40", "192.0.2.0/24", 16, 4));
        var m = new SummaryMessage("ce-1", 1, [], ctx, [w], 0);
        Assert.Equal(SummaryCodec.Encode(m), SummaryCodec.Encode(SummaryCodec.Decode(SummaryCodec.Encode(m))));
    }

    [Fact]
    public void A_window_reports_the_worst_clock_it_saw()
    {
        var a = new WindowAggregator(Ports, Key);
        a.SetClock(Good);
        a.Open(Proto.Tcp, Ports.PortAt(1), Dst(1), T0 + 1);
        var bad = new ClockQuality(ClockSource.None, false, 90_000);
        a.SetClock(bad);
        a.SetClock(Good);
        a.Advance(T0 + 60_000, Good);
        a.Advance(T0 + 120_000, Good);
        List<WindowSummary> ws = Drain(a);
        Assert.Equal([bad, Good], ws.Select(w => w.Clock));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(61)]
    [InlineData(7200)]
    public void Bad_window_lengths_are_refused(int seconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WindowAggregator(Ports, Key, seconds));

    [Fact]
    public void A_long_interval_is_cut_every_ten_minutes_and_shutdown_lists_what_is_open()
    {
        var a = new WindowAggregator(Ports, Key);
        a.Open(Proto.Tcp, Ports.PortAt(1), Dst(1), T0 + 5_000);
        a.Open(Proto.Tcp, Ports.PortAt(2), Dst(1), T0 + 6_000); // a second flow to it: one interval
        a.Close(Proto.Tcp, Ports.PortAt(1), Dst(1), T0 + 7_000);
        a.Advance(T0 + 1_500_500, Good);
        a.Open(Proto.Udp, Ports.PortAt(3), Dst(2), T0 + 1_510_200);
        a.Flush(Good);
        List<WindowSummary> ws = Drain(a);
        Assert.Equal(26, ws.Count);
        long t = T0 / 1000;
        var listed = ws.SelectMany(w => Listed(w, Dst(1)).Select(l => (w.StartUnix, l))).ToList();
        // Cut at the window end where it would pass 600 s, then each 600 s; at shutdown, to the window's end.
        Assert.Equal([(t + 540, new Listed(t + 5, t + 600)), (t + 1140, new Listed(t + 600, t + 1200)), (t + 1500, new Listed(t + 1200, t + 1560))], listed);
        Assert.Equal([new Listed(t + 1510, t + 1560)], Listed(ws[^1], Dst(2)));
    }

    [Fact]
    public void Late_events_never_list_an_interval_narrower_or_outside_the_window()
    {
        var a = new WindowAggregator(Ports, Key);
        a.Open(Proto.Tcp, Ports.PortAt(1), Dst(1), T0 + 70_000);
        a.Open(Proto.Tcp, Ports.PortAt(2), Dst(2), T0 + 30_000);               // late: its window has passed
        a.Close(Proto.Tcp, Ports.PortAt(1), Dst(1), T0 + 65_000);              // closes before it opened
        a.Close(Proto.Tcp, Ports.PortAt(2), Dst(2), T0 + 61_000);
        a.Flush(Good);
        WindowSummary w = Drain(a)[^1];
        long t = T0 / 1000;
        Assert.Equal([new Listed(t + 70, t + 70)], Listed(w, Dst(1)));
        Assert.Equal([new Listed(t + 60, t + 61)], Listed(w, Dst(2)));
    }

    /// <summary>Random flows against a brute-force oracle: per window, the ports alive and the destination
    /// intervals that end (or are cut) in it.</summary>
    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 60)]
    [InlineData(3, 300)]
    [InlineData(4, 900)]
    public void Matches_a_brute_force_oracle(int seed, int windowSeconds)
    {
        var rng = new Random(seed);
        long windowMs = windowSeconds * 1000L;
        var flows = Enumerable.Range(0, 400).Select(i =>
        {
            long start = T0 + rng.NextInt64(0, 3_600_000);
            long end = start + (rng.Next(4) == 0 ? rng.NextInt64(0, 1_800_000) : rng.NextInt64(0, 20_000));
            return (Id: (ulong)i, Port: rng.Next(Ports.Count), Dst: Dst(rng.Next(40)), Start: start, End: end);
        }).ToList();
        var events = flows.SelectMany(f => new[] { (At: f.Start, Open: true, F: f), (At: f.End, Open: false, F: f) })
            .OrderBy(e => e.At).ThenBy(e => e.Open ? 1 : 0).ToList();
        var a = new WindowAggregator(Ports, Key, windowSeconds);
        foreach (var e in events)
            if (e.Open)
                a.Open(Proto.Udp, Ports.PortAt(e.F.Port), e.F.Dst, e.At);
            else
                a.Close(Proto.Udp, Ports.PortAt(e.F.Port), e.F.Dst, e.At);
        a.Advance(T0 + 10_000_000, Good);
        List<WindowSummary> got = Drain(a);

        var intervals = OracleIntervals(flows.Select(f => (f.Dst, f.Start, f.End)), windowMs);
        long first = T0 / windowMs, last = (T0 + 10_000_000) / windowMs;
        var expected = new List<long>();
        for (long w = first; w < last; w++)
        {
            long from = w * windowMs, to = from + windowMs - 1;
            var alive = flows.Where(f => f.Start <= to && f.End >= from).ToList();
            if (alive.Count == 0)
                continue;
            expected.Add(from / 1000);
            WindowSummary s = got.Single(x => x.StartUnix == from / 1000);
            var ports = alive.Select(f => f.Port).ToHashSet();
            for (int i = 0; i < Ports.Count; i++)
                Assert.Equal(ports.Contains(i), Bit(s, Proto.Udp, i));
            var mine = intervals.Where(x => x.Window == w).ToList();
            Assert.Equal(mine.Count, s.Filter.Count);
            for (int d = 0; d < 40; d++)
                Assert.Equal(mine.Where(x => x.Dst == Dst(d)).Select(x => x.Listed).Order(), Listed(s, Dst(d)).Order());
            Assert.All(mine, x => Assert.InRange(x.Listed.EndUnix - x.Listed.StartUnix, 0, SummaryLimits.MaxIntervalSeconds((uint)windowSeconds)));
            Assert.Equal((uint)alive.Count(f => f.Start >= from), s.Protocols[0].NewFlows);
        }
        Assert.Equal(expected, got.Select(w => w.StartUnix));
    }

    /// <summary>Merge each destination's flows (a close at the instant of an open ends the interval first),
    /// cut what is open at a window end when it would otherwise outgrow the limit, and say where each piece
    /// is listed: the window of its end, or the one the cut closes.</summary>
    private static List<(long Window, FlowKey Dst, Listed Listed)> OracleIntervals(IEnumerable<(FlowKey Dst, long Start, long End)> flows, long windowMs)
    {
        long cap = SummaryLimits.MaxIntervalSeconds((uint)(windowMs / 1000)) * 1000;
        var result = new List<(long, FlowKey, Listed)>();
        foreach (var group in flows.GroupBy(f => f.Dst))
        {
            var merged = new List<(long S, long E)>();
            foreach (var (_, s, e) in group.OrderBy(f => f.Start))
                if (merged.Count > 0 && s < merged[^1].E)
                    merged[^1] = (merged[^1].S, Math.Max(merged[^1].E, e));
                else
                    merged.Add((s, e));
            foreach (var (s0, e) in merged)
            {
                long s = s0;
                for (long boundary = (s / windowMs + 1) * windowMs; boundary <= e; boundary += windowMs)
                    if (boundary + windowMs - s > cap)
                    {
                        result.Add((boundary / windowMs - 1, group.Key, new Listed(s / 1000, boundary / 1000)));
                        s = boundary;
                    }
                result.Add((e / windowMs, group.Key, new Listed(s / 1000, (e + 999) / 1000)));
            }
        }
        return result;
    }
}
