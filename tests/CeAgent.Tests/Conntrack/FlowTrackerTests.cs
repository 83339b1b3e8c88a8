using CeAgent.Conntrack;
using CeAgent.Interop;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;

namespace CeAgent.Tests.Conntrack;

public class FlowTrackerTests
{
    private const uint Public = 0xC0000212, Lan = 0xC0A80102, Dst = 0xCB00710A;
    private static readonly PortSet Ports = PortSet.For(4, 8, 0x34);

    private sealed class Log : IFlowSink
    {
        public List<(string What, uint Id, long At, bool Estimated)> Entries { get; } = [];
        public void Opened(in TrackedFlow flow, long atNs) => Entries.Add(("open", flow.Id, atNs, false));
        public void Closed(in TrackedFlow flow, long atNs, bool estimated) => Entries.Add(("close", flow.Id, atNs, estimated));
    }

    private static FlowEvent Ev(FlowEventKind kind, uint id, int publicPort, long start, long stop = 0, byte proto = 17, uint pub = Public, bool kernel = false) =>
        new(kind, id, proto, Lan, 40000 + (int)id, Dst, 443, pub, publicPort, start, stop, kernel);

    [Fact]
    public void New_and_destroy_open_and_close_and_track_ports()
    {
        var log = new Log();
        var t = new FlowTracker(Public, Ports, log);
        t.Apply(Ev(FlowEventKind.New, 1, Ports.PortAt(0), 100));
        t.Apply(Ev(FlowEventKind.New, 2, Ports.PortAt(0), 110, proto: 6));
        t.Apply(Ev(FlowEventKind.New, 3, Ports.PortAt(5), 120));
        Assert.Equal(2, t.PortsInUse(Proto.Udp));
        Assert.Equal(1, t.PortsInUse(Proto.Tcp));
        Assert.True(t.InUse(Proto.Udp, Ports.PortAt(5)));
        t.Apply(Ev(FlowEventKind.Destroy, 3, Ports.PortAt(5), 120, 500, kernel: true));
        Assert.False(t.InUse(Proto.Udp, Ports.PortAt(5)));
        Assert.Equal(1, t.PortsInUse(Proto.Udp));
        Assert.Equal([("open", 1u, 100L, false), ("open", 2u, 110L, false), ("open", 3u, 120L, false), ("close", 3u, 500L, false)], log.Entries);
        Assert.Equal(4, t.Events);
    }

    [Fact]
    public void Flows_outside_the_address_or_port_set_are_ignored_and_counted()
    {
        var log = new Log();
        var t = new FlowTracker(Public, Ports, log);
        t.Apply(Ev(FlowEventKind.New, 1, 80, 1));                        // a port of no set
        t.Apply(Ev(FlowEventKind.New, 2, Ports.PortAt(0) + 16, 1));      // another PSID's port
        t.Apply(Ev(FlowEventKind.New, 3, Ports.PortAt(0), 1, pub: 0x0A000001)); // another address
        t.Apply(Ev(FlowEventKind.New, 4, Ports.PortAt(0), 1, proto: 47)); // GRE
        t.Apply(new FlowEvent(FlowEventKind.New, 5, 17, Lan, 5000, Dst, 53, Lan, 5000, 1, 0, false)); // not NAT'd
        Assert.Equal(5, t.OutsideSet);
        Assert.Empty(log.Entries);
    }

    [Fact]
    public void Duplicate_opens_from_the_startup_dump_count_once()
    {
        var log = new Log();
        var t = new FlowTracker(Public, Ports, log);
        t.Apply(Ev(FlowEventKind.New, 1, Ports.PortAt(0), 100));
        t.Apply(Ev(FlowEventKind.Dump, 1, Ports.PortAt(0), 90, kernel: true));
        Assert.Single(log.Entries);
        Assert.Equal(1, t.OpenFlows);
    }

    [Fact]
    public void A_destroy_without_its_new_uses_the_kernel_times()
    {
        var log = new Log();
        var t = new FlowTracker(Public, Ports, log);
        t.Apply(Ev(FlowEventKind.Destroy, 9, Ports.PortAt(1), 1_000, 5_000, kernel: true));
        Assert.Equal([("open", 9u, 1_000L, false), ("close", 9u, 5_000L, false)], log.Entries);
        Assert.Equal(0, t.OpenFlows);
    }

    [Fact]
    public void Resync_closes_vanished_flows_by_estimate_and_opens_new_ones()
    {
        var log = new Log();
        var t = new FlowTracker(Public, Ports, log);
        t.Apply(Ev(FlowEventKind.New, 1, Ports.PortAt(0), 1_000));
        t.Apply(Ev(FlowEventKind.New, 2, Ports.PortAt(1), 2_000));
        t.CountLoss();
        var (closed, opened) = t.Resync([Ev(FlowEventKind.Dump, 2, Ports.PortAt(1), 2_000, kernel: true), Ev(FlowEventKind.Dump, 3, Ports.PortAt(2), 3_000, kernel: true)], 10_000);
        Assert.Equal((1, 1), (closed, opened));
        Assert.Contains(("close", 1u, 6_000L, true), log.Entries); // midway between the last event (2,000) and the dump
        Assert.Contains(("open", 3u, 3_000L, false), log.Entries);
        Assert.Equal(2, t.OpenFlows);
        Assert.Equal((1L, 1L, 1L), (t.Losses, t.Resyncs, t.EstimatedCloses));
        // Its late DESTROY does not reopen the flow.
        t.Apply(Ev(FlowEventKind.Destroy, 1, Ports.PortAt(0), 1_000, 4_000, kernel: true));
        Assert.Equal(2, t.OpenFlows);
        Assert.Single(log.Entries, e => e.Id == 1 && e.What == "close");
    }

    [Fact]
    public void A_sweep_closes_flows_the_kernel_expired_but_has_not_destroyed()
    {
        var log = new Log();
        var t = new FlowTracker(Public, Ports, log);
        t.Apply(Ev(FlowEventKind.New, 1, Ports.PortAt(0), 1_000));
        t.Apply(Ev(FlowEventKind.New, 2, Ports.PortAt(1), 2_000));
        Assert.Equal(1, t.Sweep([Ev(FlowEventKind.Dump, 2, Ports.PortAt(1), 2_000, kernel: true)], 9_000));
        Assert.Contains(("close", 1u, 9_000L, true), log.Entries);
        Assert.Equal((0L, 0L), (t.Resyncs, t.EstimatedCloses)); // a sweep is routine, not a loss
        t.Apply(Ev(FlowEventKind.Destroy, 1, Ports.PortAt(0), 1_000, 60_000, kernel: true)); // the GC's late DESTROY
        Assert.Single(log.Entries, e => e.Id == 1 && e.What == "close");
    }

    private sealed class ResyncLog : IFlowSink
    {
        public List<string> Entries { get; } = [];
        public void Opened(in TrackedFlow flow, long atNs) => Entries.Add($"open {flow.Id}");
        public void Closed(in TrackedFlow flow, long atNs, bool estimated) => Entries.Add($"close {flow.Id}");
        public void Resynchronising(long atNs) => Entries.Add($"resync at {atNs}");
    }

    [Fact]
    public void A_resync_is_announced_to_the_sink_before_its_closes_and_opens_but_a_sweep_is_not()
    {
        var log = new ResyncLog();
        var t = new FlowTracker(Public, Ports, log);
        t.Apply(Ev(FlowEventKind.New, 1, Ports.PortAt(0), 1_000));
        t.Sweep([Ev(FlowEventKind.Dump, 1, Ports.PortAt(0), 1_000, kernel: true)], 5_000);
        t.Resync([Ev(FlowEventKind.Dump, 2, Ports.PortAt(1), 6_000, kernel: true)], 10_000);
        Assert.Equal(["open 1", "resync at 10000", "open 2", "close 1"], log.Entries);
    }

    [Fact]
    public void Ports_in_use_are_counted_per_protocol_from_the_one_table()
    {
        var t = new FlowTracker(Public, Ports, new Log());
        for (uint id = 1; id <= 50; id++)
            t.Apply(Ev(FlowEventKind.New, id, Ports.PortAt((int)(id % 10)), id, proto: id % 2 == 0 ? (byte)6 : (byte)17));
        Assert.Equal((5, 5, 0), (t.PortsInUse(Proto.Tcp), t.PortsInUse(Proto.Udp), t.PortsInUse(Proto.Icmp)));
        for (uint id = 1; id <= 50; id++)
            t.Apply(Ev(FlowEventKind.Destroy, id, Ports.PortAt((int)(id % 10)), id, id + 1, proto: id % 2 == 0 ? (byte)6 : (byte)17, kernel: true));
        Assert.Equal((0, 0), (t.PortsInUse(Proto.Tcp), t.PortsInUse(Proto.Udp)));
    }

    [Fact]
    public unsafe void Records_convert_with_the_native_layout()
    {
        Assert.Equal(88, sizeof(CtRecord));
        Assert.Equal(88u, (uint)Interop.Conntrack.RecordSize());
        var r = new CtRecord { Kind = CtRecord.KindDestroy, L4Proto = 6, Id = 7, StartNs = 5, StopNs = 9, Flags = CtRecord.FlagTimestamp, NatSrcPort = 4930, OrigSrcPort = 40000, OrigDstPort = 443 };
        r.NatSrc[0] = 192; r.NatSrc[3] = 18; r.OrigDst[0] = 203;
        FlowEvent e = FlowEvent.From(r, 1234);
        Assert.Equal((FlowEventKind.Destroy, 7u, 5L, 9L, true), (e.Kind, e.Id, e.StartNs, e.StopNs, e.KernelStart));
        Assert.Equal(0xC0000012u, e.PublicAddress);
        Assert.Equal(4930, e.PublicPort);
        Assert.Equal(Proto.Tcp, e.Proto);
        r.Flags = 0;
        Assert.Equal(1234, FlowEvent.From(r, 1234).StartNs); // NEW events: the time they were read
    }
}
