using System.Net;
using CeAgent.Aggregation;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;

namespace CeAgent.Tests.Aggregation;

/// <summary>What the aggregator tests share: a port set, a filter key, a good clock and how to read windows back.</summary>
internal static class AggregatorFixture
{
    public static readonly PortSet Ports = PortSet.For(4, 8, 0x34);
    public static readonly byte[] Key = [.. Enumerable.Range(0, 16).Select(i => (byte)(i * 7))];
    public static readonly ClockQuality Good = new(ClockSource.Ntp, true, 20);

    public static FlowKey Dst(int i) => new(new IPAddress([203, 0, 113, (byte)i]), 443, Proto.Tcp);

    public static List<WindowSummary> Drain(WindowAggregator a)
    {
        var list = new List<WindowSummary>();
        while (a.TryTake(out WindowSummary w))
            list.Add(w);
        return list;
    }

    public static List<Listed> Listed(WindowSummary w, FlowKey k) => GolombSet.Lookup(w.Filter, Key, w.StartUnix, w.LengthSeconds, k);
}
