using System.Net;
using CeAgent.Aggregation;
using CeAgent.Bench.Workload;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;
using CeAgent.Spool;

namespace CeAgent.Bench.Format;

/// <summary>
/// `make bench-snapshot`: the flash the open-interval snapshot costs. The simulated day of 256 households
/// (the attribution benchmark's workload) runs through the agent's own aggregator with 120-s windows; at
/// every window close the snapshot is encoded as the agent writes it (spool frame included). Prints the
/// bytes a day and the largest snapshot for the median, 95th-percentile and busiest household.
/// </summary>
public static class SnapshotBench
{
    private const long DayStartMs = 1_795_046_400_000; // a UTC midnight
    private const int WindowSeconds = 120;
    private static readonly ClockQuality Good = new(ClockSource.Ntp, true, 20);

    public static int Run(string[] args)
    {
        var p = new WorkloadParams();
        var world = new World(p);
        var perHousehold = new (long Bytes, int Largest, int MaxEntries, double MeanEntries)[p.Households];
        Parallel.For(0, p.Households, h => perHousehold[h] = Household(world.Flows[h], PortSet.For(p.PsidOffset, p.PsidLength, h)));
        var byBytes = perHousehold.OrderBy(x => x.Bytes).ToArray();
        Console.WriteLine($"open-interval snapshot, {WindowSeconds}-s windows ({86400 / WindowSeconds} writes a day), simulated day of {p.Households} households, {world.TotalFlows} flows:");
        foreach (var (name, q) in new[] { ("median", 0.5), ("95th percentile", 0.95), ("busiest", 1.0) })
        {
            var x = byBytes[Math.Min(byBytes.Length - 1, (int)(q * (byBytes.Length - 1)))];
            Console.WriteLine($"  {name} household: {x.Bytes / 1024.0:F0} kB a day, {x.MeanEntries:F1} open intervals a window on average, at most {x.MaxEntries} ({x.Largest} bytes)");
        }
        return 0;
    }

    private static (long, int, int, double) Household(Flow[] flows, PortSet ports)
    {
        var a = new WindowAggregator(ports, new byte[16], WindowSeconds);
        a.SetClock(Good);
        var events = new List<(long At, bool Open, int Id)>(flows.Length * 2);
        for (int i = 0; i < flows.Length; i++)
        {
            events.Add((flows[i].StartMs, true, i));
            events.Add((flows[i].EndMs, false, i));
        }
        events.Sort((x, y) => x.At != y.At ? x.At.CompareTo(y.At) : x.Open.CompareTo(y.Open));
        long bytes = 0, entries = 0;
        int largest = 0, maxEntries = 0, writes = 0;
        long nextClose = WindowSeconds * 1000L;
        void CloseThrough(long at)
        {
            for (; nextClose <= at && nextClose <= 86_400_000; nextClose += WindowSeconds * 1000L)
            {
                a.Advance(DayStartMs + nextClose, Good);
                while (a.TryTake(out _)) { }
                OpenIntervalSnapshot s = a.WindowStartMs == long.MinValue
                    ? new OpenIntervalSnapshot((DayStartMs + nextClose) / 1000, WindowSeconds, [], 0) : a.OpenIntervals();
                int size = SpoolFrame.HeaderSize + OpenIntervalCodec.Encode(s).Length;
                bytes += size;
                largest = Math.Max(largest, size);
                entries += s.Intervals.Count;
                maxEntries = Math.Max(maxEntries, s.Intervals.Count);
                writes++;
            }
        }
        foreach (var (at, open, id) in events)
        {
            CloseThrough(at);
            Flow f = flows[id];
            Proto proto = f.Dest.Proto == DestKey.Udp ? Proto.Udp : Proto.Tcp;
            var destination = new DestinationKey(f.Dest.Ip, checked((ushort)f.Dest.Port), proto);
            if (open)
                a.Open(proto, f.PublicPort, destination, DayStartMs + at);
            else
                a.Close(proto, f.PublicPort, destination, DayStartMs + at);
        }
        CloseThrough(86_400_000);
        return (bytes, largest, maxEntries, entries / (double)Math.Max(1, writes));
    }
}
