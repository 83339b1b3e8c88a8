namespace CeAgent.Service;

/// <summary>
/// When to give the garbage collector's slack back to the kernel. A flood grows the flow tables in steps
/// (each growth leaves the old arrays behind as large-object garbage) and the GC keeps what it committed
/// for the burst: on arm64, 65,000 flows arriving at 3,000 a second left the agent 8 MB above the same
/// table built slowly (docs/benchmarks.md). A router shares a few hundred MB with its NAT, so once the
/// table has grown or shrunk by a quarter (and by <see cref="MinChange"/> flows) since the last trim, and
/// no sooner than <see cref="MinIntervalMs"/> after it, one full compacting collection returns the slack.
/// Pure: the caller passes the table's size and the time, and does the collection when told.
/// </summary>
public sealed class MemoryTrim
{
    public const int MinChange = 4096;
    public const long MinIntervalMs = 30_000;
    private int _flows;
    private long _lastMs = long.MinValue;

    /// <returns>True when the caller should collect now.</returns>
    public bool Due(int flows, long nowMs)
    {
        int change = Math.Abs(flows - _flows);
        if (change < MinChange || change < _flows / 4 || (_lastMs != long.MinValue && nowMs - _lastMs < MinIntervalMs))
            return false;
        _flows = flows;
        _lastMs = nowMs;
        return true;
    }

    /// <summary>The collection itself: blocking, compacting the large-object heap too, and decommitting.</summary>
    public static void Collect() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
