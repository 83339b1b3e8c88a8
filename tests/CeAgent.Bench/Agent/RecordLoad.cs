using CeAgent.Bench.Workload;

namespace CeAgent.Bench.Agent;

/// <summary>
/// How much any per-window destination record has to hold, whatever the filter: for a time granularity
/// W, how many windows a household is active in and how many distinct (destination, window) pairs it
/// has a day, plus how many destination intervals remain once overlapping flows to one destination
/// are merged (what an interval-style record would carry). These counts, times a filter's bits a key,
/// bound the summary's size from below, and tell the summary format where its bytes go.
/// </summary>
public sealed record RecordLoad(int WindowSeconds, double ActiveWindowsPerDay, double KeysPerDay, double MergedIntervalsPerDay)
{
    /// <summary>Means over households, scaled to a day.</summary>
    public static RecordLoad Measure(World world, int windowSeconds)
    {
        int n = world.Params.Households;
        var active = new long[n];
        var keys = new long[n];
        var merged = new long[n];
        Parallel.For(0, n, h => (active[h], keys[h], merged[h]) = Count(world.Flows[h], windowSeconds * 1000));
        double scale = world.Params.DayScale / n;
        return new RecordLoad(windowSeconds, active.Sum() * scale, keys.Sum() * scale, merged.Sum() * scale);
    }

    private static (long Active, long Keys, long Merged) Count(Flow[] flows, int windowMs)
    {
        long keys = 0, merged = 0;
        foreach (var group in flows.GroupBy(f => f.Dest))
        {
            int lastWindow = -1, runEnd = int.MinValue;
            foreach (var f in group.OrderBy(f => f.StartMs))
            {
                if (f.StartMs > runEnd)
                    merged++;
                runEnd = Math.Max(runEnd, f.EndMs);
                int first = Math.Max(f.StartMs / windowMs, lastWindow + 1), last = f.EndMs / windowMs;
                if (last >= first)
                {
                    keys += last - first + 1;
                    lastWindow = last;
                }
            }
        }
        // Active windows: the union of every flow's windows, flows sorted by start.
        long active = 0;
        int covered = -1;
        foreach (var f in flows)
        {
            int first = Math.Max(f.StartMs / windowMs, covered + 1), last = f.EndMs / windowMs;
            if (last >= first)
            {
                active += last - first + 1;
                covered = last;
            }
        }
        return (active, keys, merged);
    }
}
