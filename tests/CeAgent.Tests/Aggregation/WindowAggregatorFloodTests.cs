using System.Net;
using CeAgent.Aggregation;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;

namespace CeAgent.Tests.Aggregation;

/// <summary>A flood of destinations: carried whole in parts, memory bounded, a reached bound said.</summary>
public class WindowAggregatorFloodTests
{
    private static readonly PortSet Ports = PortSet.For(4, 8, 0x34);
    private static readonly byte[] Key = [.. Enumerable.Range(0, 16).Select(i => (byte)(i * 7))];
    private static readonly ClockQuality Good = new(ClockSource.Ntp, true, 20);
    private const long T0 = 1_795_000_080_000; // a 120-s window boundary, in ms

    private static FlowKey Dst(int i) => new(new IPAddress([198, (byte)(18 + (i >> 16)), (byte)(i >> 8), (byte)i]), 53, Proto.Udp);

    /// <summary>Opens and closes <paramref name="n"/> one-second flows to distinct destinations in one window.</summary>
    private static WindowAggregator Flood(int n)
    {
        var a = new WindowAggregator(Ports, Key, windowSeconds: 120);
        a.SetClock(Good);
        for (int i = 0; i < n; i++)
        {
            a.Open(Proto.Udp, Ports.PortAt(i % 240), Dst(i), T0 + i % 60_000);
            a.Close(Proto.Udp, Ports.PortAt(i % 240), Dst(i), T0 + i % 60_000 + 1000);
            Assert.True(a.Held.Raw <= SummaryLimits.PartEntries, "raw intervals held past one part");
        }
        a.Advance(T0 + 120_000, Good);
        return a;
    }

    [Fact]
    public void A_window_of_100000_destinations_is_carried_whole_in_parts()
    {
        const int n = 100_000;
        WindowAggregator a = Flood(n);
        var parts = new List<WindowSummary>();
        while (a.TryTake(out WindowSummary w))
            parts.Add(w);
        int expected = (n + SummaryLimits.PartEntries - 1) / SummaryLimits.PartEntries;
        Assert.Equal(expected, parts.Count);
        Assert.Equal(Enumerable.Range(0, expected), parts.Select(p => p.Part));
        Assert.All(parts, p => Assert.Equal(expected, p.Parts));
        Assert.All(parts, p => Assert.True(p.Filter.Data.Length <= SummaryLimits.MaxFilterBytes));
        Assert.Equal(n, parts.Sum(p => p.Filter.Count));
        Assert.Equal(0U, parts[0].Unrecorded);
        Assert.NotEmpty(parts[0].Protocols);
        Assert.All(parts.Skip(1), p => Assert.Empty(p.Protocols));
        // Every destination is listed, with its time, in some part; WindowMatch reads them as one window.
        foreach (int i in new[] { 0, 1, 8191, 8192, 50_000, n - 1 })
        {
            long at = T0 + i % 60_000 + 500;
            WindowTest t = WindowMatch.Test(parts, Ports, Key, Dst(i), null, at, at);
            Assert.True(t.Matched, $"destination {i} not listed");
            Assert.False(t.Incomplete);
        }
    }

    [Fact]
    public void Past_the_bound_intervals_are_counted_unrecorded_and_memory_stays_bounded()
    {
        int bound = SummaryLimits.MaxParts * SummaryLimits.PartEntries;
        WindowAggregator a = Flood(bound + 1000);
        var parts = new List<WindowSummary>();
        while (a.TryTake(out WindowSummary w))
            parts.Add(w);
        Assert.Equal(SummaryLimits.MaxParts, parts.Count);
        Assert.Equal(bound, parts.Sum(p => p.Filter.Count));
        Assert.Equal(1000U, parts[0].Unrecorded);
        Assert.True(WindowMatch.AnyIncomplete(parts, T0, T0));
    }
}
