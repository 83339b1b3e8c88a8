namespace CeAgent.Bench.Workload;

public static class FlowSearch
{
    /// <summary>Index of the first flow starting at or after <paramref name="t"/> in flows sorted by start.</summary>
    public static int FirstStartingAtOrAfter(Flow[] sortedByStart, int t)
    {
        int lo = 0, hi = sortedByStart.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sortedByStart[mid].StartMs < t) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
