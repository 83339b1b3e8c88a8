using System.Runtime.InteropServices;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;

namespace CeAgent.Aggregation;

/// <summary>
/// Turns the flow tracker's opens and closes into per-window summaries. It keeps no flows of its own (the
/// tracker's table is the one): an open or a close names its protocol, public port and destination. Windows are aligned to UTC; a flow
/// counts in every window during which it was alive (port bitmaps, peaks); a window in which nothing was
/// alive and nothing was lost produces no summary. Destinations are tracked as intervals, from the first
/// open flow to a destination to the last one's close, and each is listed in the filter of the window it
/// ends in; one still open when it would outgrow <see cref="SummaryLimits.MaxIntervalSeconds"/> is cut at
/// a window end and goes on as a new interval. Pure: time comes in with the events and with <see cref="Advance"/>.
/// Events are expected in time order; one that is late (before the current window) is applied to the
/// current window, because earlier windows may already be signed and sent.
/// A flood is carried whole: every <see cref="SummaryLimits.PartEntries"/> ended intervals are packed into a
/// filter of their own at once (about 5 bytes an interval instead of a hundred held raw), and the window is
/// published in as many parts as it filled. Memory is bounded by <see cref="SummaryLimits.MaxParts"/> parts
/// a window; past that an interval is counted as unrecorded, never silently lost.
/// </summary>
public sealed partial class WindowAggregator
{
    private readonly PortSet _ports;
    private readonly byte[] _filterKey;
    private readonly int _p;
    private readonly long _windowMs;
    private readonly ProtoState[] _protos;
    private readonly Dictionary<DestinationKey, Activity> _destinations = [];
    private readonly List<DestinationInterval> _ended = [];
    private readonly List<AttributionFilter> _parts = [];
    private readonly Queue<WindowSummary> _completed = new();
    private long _windowStartMs = long.MinValue;
    private uint _lost, _resyncs, _exhausted, _unrecorded;
    private ClockQuality _clock = ClockQuality.Unknown, _windowClock = ClockQuality.Unknown;

    public int WindowSeconds { get; }
    public int OpenFlows { get; private set; }
    public long OutsideSet { get; private set; }

    /// <summary>Ended intervals held raw and packed parts held for the open window: what a flood costs.</summary>
    public (int Raw, int Parts) Held => (_ended.Count, _parts.Count);

    public WindowAggregator(PortSet ports, byte[] filterKey, int windowSeconds = 60, int p = GolombSet.DefaultP)
    {
        if (windowSeconds is < 1 or > SummaryLimits.MaxWindowSeconds || 86400 % windowSeconds != 0)
            throw new ArgumentOutOfRangeException(nameof(windowSeconds), windowSeconds, "window length must divide a day and be 1..3600 s");
        if (filterKey.Length != 16)
            throw new ArgumentException("the filter key has 16 bytes", nameof(filterKey));
        _ports = ports;
        _filterKey = filterKey;
        _p = p;
        WindowSeconds = windowSeconds;
        _windowMs = windowSeconds * 1000L;
        _protos = [new ProtoState(Proto.Icmp, ports.Count), new ProtoState(Proto.Tcp, ports.Count), new ProtoState(Proto.Udp, ports.Count)];
    }

    /// <summary>Ports of the set that open flows of <paramref name="proto"/> hold now: the per-port holder
    /// counts the windows keep anyway (the health reads it once a second; no scan of the flow table).</summary>
    public int PortsInUse(Proto proto) => State(proto).InUse;

    public void Open(Proto proto, int publicPort, DestinationKey destination, long atMs)
    {
        int index = _ports.IndexOf(publicPort);
        if (index < 0)
        {
            OutsideSet++;
            return;
        }
        MoveTo(atMs);
        OpenFlows++;
        State(proto).Open(index);
        ref Activity a = ref CollectionsMarshal.GetValueRefOrAddDefault(_destinations, destination, out bool exists);
        if (!exists)
            a.StartMs = Math.Max(atMs, _windowStartMs); // late: see the class
        a.Flows++;
    }

    public void Close(Proto proto, int publicPort, DestinationKey destination, long atMs)
    {
        int index = _ports.IndexOf(publicPort);
        MoveTo(atMs);
        ref Activity a = ref CollectionsMarshal.GetValueRefOrNullRef(_destinations, destination);
        if (index < 0 || System.Runtime.CompilerServices.Unsafe.IsNullRef(ref a))
            return; // never opened here
        OpenFlows--;
        State(proto).Close(index);
        if (--a.Flows == 0)
        {
            long startMs = a.StartMs;
            _destinations.Remove(destination);
            // A late close (before this window, or before the interval began) is listed here, ending no
            // earlier than the window or the interval starts: wider, never narrower.
            End(destination, startMs, Math.Max(atMs, Math.Max(_windowStartMs, startMs)));
        }
    }

    private void End(DestinationKey destination, long startMs, long endMs)
    {
        if (_ended.Count >= SummaryLimits.PartEntries)
        {
            // The last part is built when the window closes, so the packed ones stop one short of the bound.
            if (_parts.Count >= SummaryLimits.MaxParts - 1)
            {
                _unrecorded++;
                return;
            }
            _parts.Add(BuildFilter());
            _ended.Clear();
        }
        _ended.Add(new DestinationInterval(destination.ToFlowKey(), startMs / 1000, (endMs + 999) / 1000));
    }

    private AttributionFilter BuildFilter() => GolombSet.Build(_filterKey, _windowStartMs / 1000, (uint)WindowSeconds, _ended, _p);

    public void CountLost(uint events, long atMs)
    {
        MoveTo(atMs);
        _lost += events;
    }

    public void CountResync(long atMs)
    {
        MoveTo(atMs);
        _resyncs++;
    }

    public void CountExhausted(uint times, long atMs)
    {
        MoveTo(atMs);
        _exhausted += times;
    }

    /// <summary>The clock's quality from now on; a window reports the worst it was given while open.</summary>
    public void SetClock(ClockQuality clock)
    {
        _clock = clock;
        _windowClock = ClockQuality.Worse(_windowClock, clock);
    }

    /// <summary>Closes every window that ended at or before <paramref name="nowMs"/>.</summary>
    public void Advance(long nowMs, ClockQuality clock)
    {
        SetClock(clock);
        MoveTo(nowMs);
    }

    /// <summary>Closes the current window early, at shutdown, so it is spooled and not lost.</summary>
    public void Flush(ClockQuality clock)
    {
        SetClock(clock);
        if (_windowStartMs != long.MinValue)
            CloseWindow(final: true);
    }

    public bool TryTake(out WindowSummary summary) => _completed.TryDequeue(out summary!);

    private void MoveTo(long atMs)
    {
        long start = Math.DivRem(atMs, _windowMs, out long rem) * _windowMs - (rem < 0 ? _windowMs : 0);
        if (_windowStartMs == long.MinValue)
        {
            _windowStartMs = start;
            _windowClock = _clock;
            return;
        }
        while (_windowStartMs < start)
        {
            CloseWindow();
            // Nothing open: the windows in between are idle, jump straight to the event's window.
            _windowStartMs = OpenFlows == 0 ? start : _windowStartMs + _windowMs;
        }
    }

    /// <param name="final">At shutdown every open interval is listed now, as if it ran to the window's end:
    /// the flows' real ends will never be seen, and a listing too long is safe where a missing one is not.</param>
    private void CloseWindow(bool final = false)
    {
        EndRestored(); // OpenIntervals.cs: restored intervals no flow re-opened end in the reopened window
        long endMs = _windowStartMs + _windowMs;
        long cutAfterMs = SummaryLimits.MaxIntervalSeconds((uint)WindowSeconds) * 1000 - _windowMs;
        foreach (var (destination, a) in _destinations)
            if (final || endMs - a.StartMs > cutAfterMs)
            {
                End(destination, a.StartMs, endMs);
                CollectionsMarshal.GetValueRefOrNullRef(_destinations, destination).StartMs = endMs; // a value, not an entry: enumeration goes on
            }
        bool active = _protos.Any(s => s.Touched) || _lost + _resyncs + _exhausted + _unrecorded > 0 || _parts.Count > 0;
        if (active)
        {
            var protos = new List<ProtoUsage>(3);
            foreach (ProtoState s in _protos)
                if (s.Touched)
                    protos.Add(s.Usage());
            // Part 0 is what closes the window, with its usage and counters; the packed filters follow it.
            int parts = 1 + _parts.Count;
            var first = new WindowSummary(_windowStartMs / 1000, (uint)WindowSeconds, _windowClock, protos,
                _exhausted, _lost, _resyncs, BuildFilter(), 0, parts, _unrecorded);
            _completed.Enqueue(first);
            for (int i = 0; i < _parts.Count; i++)
                _completed.Enqueue(first with { Protocols = [], Exhausted = 0, LostEvents = 0, Resyncs = 0, Unrecorded = 0, Filter = _parts[i], Part = i + 1 });
        }
        // The next window starts with what is still open.
        _ended.Clear();
        _parts.Clear();
        foreach (ProtoState s in _protos)
            s.StartWindow();
        _lost = _resyncs = _exhausted = _unrecorded = 0;
        _windowClock = _clock;
    }

    private ProtoState State(Proto proto) => proto switch
    {
        Proto.Icmp => _protos[0],
        Proto.Tcp => _protos[1],
        Proto.Udp => _protos[2],
        _ => throw new ArgumentOutOfRangeException(nameof(proto), proto, "only ICMP, TCP and UDP are NAT'd into the port set"),
    };

    /// <summary>A destination with flows open: how many, and since when its current interval runs.</summary>
    private struct Activity
    {
        public int Flows;
        public long StartMs;
    }
}
