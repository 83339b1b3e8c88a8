using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;

namespace CeAgent.Conntrack;

/// <summary>A flow the tracker holds: NAT'd onto the CE's address and a port of its set. 24 bytes and no
/// object, because the tracker holds one for every open flow (tens of thousands under a flood).</summary>
public readonly record struct TrackedFlow(uint Id, Proto Proto, ushort PublicPort, DestinationKey Destination, long StartNs);

/// <summary>Where the tracker's view goes: the window aggregator in the agent (AggregatorSink), a counter in `flows`.</summary>
public interface IFlowSink
{
    void Opened(in TrackedFlow flow, long atNs);
    /// <param name="estimated">The close was not seen (events were lost); atNs is an estimate.</param>
    void Closed(in TrackedFlow flow, long atNs, bool estimated);
    /// <summary>Events were lost at about <paramref name="atNs"/>: the opens and closes that follow at once
    /// reconcile the tracker with a table dump.</summary>
    void Resynchronising(long atNs)
    {
    }
}

/// <summary>
/// The CE's view of its port set, built from conntrack events: the agent's one table of open flows, by
/// conntrack id. Flows that were not translated onto the CE's public address and port set (LAN-to-router
/// traffic, other protocols) are ignored and counted.
/// After lost events, <see cref="Resync"/> reconciles with a table dump: flows that vanished in the gap
/// are closed at the gap's midpoint and marked estimated; flows that appeared are opened at their kernel
/// start. A DESTROY for a flow never seen opened (its NEW was lost, or it predates the agent) opens and
/// closes it with the kernel's own times. Pure: no I/O, time comes with the events.
/// </summary>
public sealed class FlowTracker(uint publicAddress, PortSet ports, IFlowSink sink)
{
    private readonly Dictionary<uint, TrackedFlow> _open = [];
    private long _lastEventNs;
    private readonly HashSet<uint> _closedEarly = [];

    public long Events { get; private set; }
    public long Losses { get; private set; }
    public long Resyncs { get; private set; }
    public long OutsideSet { get; private set; }
    public long EstimatedCloses { get; private set; }
    public int OpenFlows => _open.Count;
    public IEnumerable<TrackedFlow> Flows => _open.Values;

    /// <summary>Ports of the set that open flows of <paramref name="proto"/> hold now. Counted from the table
    /// when asked (the health, once a second) rather than kept beside it: the per-port counts that the
    /// windows need live in the aggregator, and one table stays the only truth about open flows.</summary>
    public int PortsInUse(Proto proto)
    {
        var held = new System.Collections.BitArray(ports.Count);
        int n = 0;
        foreach (TrackedFlow f in _open.Values)
            if (f.Proto == proto && ports.IndexOf(f.PublicPort) is var i && !held[i])
            {
                held[i] = true;
                n++;
            }
        return n;
    }

    public bool InUse(Proto proto, int port) => _open.Values.Any(f => f.Proto == proto && f.PublicPort == port);

    public void Apply(in FlowEvent e)
    {
        Events++;
        _lastEventNs = Math.Max(_lastEventNs, e.Kind == FlowEventKind.Destroy ? e.StopNs : e.StartNs);
        if (!Belongs(e, out Proto proto))
        {
            OutsideSet++;
            return;
        }
        switch (e.Kind)
        {
            case FlowEventKind.New or FlowEventKind.Dump:
                Open(e, proto, e.StartNs);
                break;
            case FlowEventKind.Destroy:
                if (_closedEarly.Remove(e.Id))
                    return; // already closed by a sweep or resync; this is its late DESTROY
                if (!_open.ContainsKey(e.Id))
                    Open(e, proto, e.StartNs);
                Close(e.Id, e.StopNs > 0 ? e.StopNs : e.StartNs, estimated: false);
                break;
        }
    }

    /// <summary>Events were lost (ENOBUFS).</summary>
    public void CountLoss() => Losses++;

    /// <summary>Reconciles with a dump taken at <paramref name="nowNs"/> after a loss: flows that vanished
    /// are closed midway through the gap, since their DESTROY may have been among the lost events.</summary>
    /// <returns>(flows closed by estimate, flows opened late).</returns>
    public (int Closed, int Opened) Resync(IEnumerable<FlowEvent> dump, long nowNs) => Resync(Each(dump), nowNs);

    /// <param name="dump">Runs the dump, handing each flow to its argument (ConntrackSource.Dump: no copy of
    /// the table is held).</param>
    public (int Closed, int Opened) Resync(Action<Action<FlowEvent>> dump, long nowNs)
    {
        Resyncs++;
        sink.Resynchronising(nowNs);
        long estimate = _lastEventNs == 0 ? nowNs : _lastEventNs + (nowNs - _lastEventNs) / 2;
        var result = Reconcile(dump, nowNs, estimate);
        EstimatedCloses += result.Closed;
        return result;
    }

    /// <summary>
    /// The kernel removes an expired flow (and sends its DESTROY, stamped with that moment) only when its
    /// garbage collector gets to it, which can be a minute after the flow really ended; a dump leaves expired
    /// flows out. A periodic sweep therefore closes flows missing from the dump at the dump's time, so a
    /// window does not count a flow that ended long before. Their late DESTROY is then ignored.
    /// </summary>
    public int Sweep(IEnumerable<FlowEvent> dump, long nowNs) => Sweep(Each(dump), nowNs);

    /// <inheritdoc cref="Sweep(IEnumerable{FlowEvent}, long)"/>
    public int Sweep(Action<Action<FlowEvent>> dump, long nowNs) => Reconcile(dump, nowNs, nowNs).Closed;

    private static Action<Action<FlowEvent>> Each(IEnumerable<FlowEvent> dump) => each =>
    {
        foreach (FlowEvent e in dump)
            each(e);
    };

    private (int Closed, int Opened) Reconcile(Action<Action<FlowEvent>> dump, long nowNs, long closeAtNs)
    {
        // The ids present, sorted: 4 bytes a flow while the dump is read, where a hash set took four times that.
        var present = new List<uint>(_open.Count + 1024);
        int opened = 0;
        dump(e =>
        {
            if (!Belongs(e, out Proto proto))
                return;
            present.Add(e.Id);
            if (!_open.ContainsKey(e.Id))
            {
                Open(e, proto, e.KernelStart ? e.StartNs : nowNs);
                opened++;
            }
        });
        present.Sort();
        var gone = new List<uint>();
        foreach (uint id in _open.Keys)
            if (present.BinarySearch(id) < 0)
                gone.Add(id);
        foreach (uint id in gone)
        {
            Close(id, Math.Max(closeAtNs, _open[id].StartNs), estimated: true);
            _closedEarly.Add(id);
        }
        // Remembered for one more round, long enough for the late DESTROY to arrive.
        if (_closedEarly.Count > 4 * (_open.Count + 1024))
            _closedEarly.Clear();
        _lastEventNs = Math.Max(_lastEventNs, nowNs);
        return (gone.Count, opened);
    }

    private bool Belongs(in FlowEvent e, out Proto proto)
    {
        proto = e.Proto ?? default;
        return e.Proto is not null && e.PublicAddress == publicAddress && e.IsIpv4Snat && ports.Contains(e.PublicPort);
    }

    private void Open(in FlowEvent e, Proto proto, long atNs)
    {
        if (_open.ContainsKey(e.Id))
            return; // the dump and the subscription overlap at start-up: one flow, reported once
        var f = new TrackedFlow(e.Id, proto, (ushort)e.PublicPort, e.Destination, atNs);
        _open[e.Id] = f;
        sink.Opened(f, atNs);
    }

    private void Close(uint id, long atNs, bool estimated)
    {
        if (!_open.Remove(id, out TrackedFlow f))
            return;
        sink.Closed(f, atNs, estimated);
    }
}
