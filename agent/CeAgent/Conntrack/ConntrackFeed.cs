namespace CeAgent.Conntrack;

/// <summary>What a resynchronisation found: the NAT'd flows in the table, and how the tracker reconciled.</summary>
public readonly record struct Resynced(int NatFlows, int ClosedByEstimate, int FoundLate);

/// <summary>
/// Conntrack events into the tracker, and the one place that handles their loss. When the kernel says it
/// dropped events (ENOBUFS): drain what is still queued (older than the dump that follows, and the kernel
/// reports the next overrun only once the queue has room), dump the table, and resynchronise the tracker
/// from it. `ce-agent run` and `ce-agent flows` both read through this; `flows` without MAP-E has no tracker.
/// </summary>
public sealed class ConntrackFeed(ConntrackSource source, FlowTracker? tracker, Func<long> nowNs)
{
    private readonly List<FlowEvent> _batch = [];

    /// <summary>Subscribes (the caller did, by opening the source), then applies a dump of the table: nothing
    /// falls between the two, and the tracker drops the repeats.</summary>
    /// <param name="oldestFirst">After open intervals were restored: flows alive since before the reopened
    /// window re-open its intervals before a younger flow moves the windows past it (OpenIntervals.cs). The
    /// dump is then held and sorted, once; otherwise it streams in the kernel's order, since sorted, the
    /// oldest flow would set the first window, perhaps days back.</param>
    public void Start(bool oldestFirst = false)
    {
        if (!oldestFirst)
        {
            ConntrackSource.Dump(nowNs(), e => tracker?.Apply(e));
            return;
        }
        var dump = new List<FlowEvent>();
        ConntrackSource.Dump(nowNs(), dump.Add);
        foreach (FlowEvent e in dump.OrderBy(e => e.StartNs))
            tracker?.Apply(e);
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for events and applies them to the tracker.</summary>
    /// <returns>The events read (valid until the next call), and what a resynchronisation found if events were lost.</returns>
    public (List<FlowEvent> Events, Resynced? Resync) Read(int timeoutMs)
    {
        _batch.Clear();
        source.Read(_batch, timeoutMs, nowNs, out bool lost);
        Resynced? resync = lost ? Resync() : null;
        if (tracker is not null)
            foreach (FlowEvent e in _batch)
                tracker.Apply(e);
        return (_batch, resync);
    }

    /// <summary>Closes the flows the kernel expired but has not destroyed yet (see <see cref="FlowTracker.Sweep"/>).</summary>
    public int Sweep()
    {
        if (tracker is null)
            return 0;
        long now = nowNs();
        return tracker.Sweep(each => ConntrackSource.Dump(now, each), now);
    }

    private Resynced Resync()
    {
        source.Discard();
        long now = nowNs();
        int nat = 0;
        void Count(FlowEvent e) => nat += e.IsIpv4Snat ? 1 : 0;
        if (tracker is null)
        {
            ConntrackSource.Dump(now, Count);
            return new Resynced(nat, 0, 0);
        }
        tracker.CountLoss();
        var (closed, opened) = tracker.Resync(each => ConntrackSource.Dump(now, e =>
        {
            Count(e);
            each(e);
        }), now);
        return new Resynced(nat, closed, opened);
    }
}
