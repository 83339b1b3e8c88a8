using System.Buffers.Binary;
using System.Net;
using CeAgent.Interop;
using CeAgent.Shared.Summary;

namespace CeAgent.Conntrack;

public enum FlowEventKind : byte
{
    New = CtRecord.KindNew,
    Destroy = CtRecord.KindDestroy,
    Dump = CtRecord.KindDump,
}

/// <summary>
/// One conntrack record as the agent uses it: IPv4 addresses as host-order integers, UTC nanoseconds.
/// NEW events carry no kernel timestamp (the kernel sends CTA_TIMESTAMP with DESTROY events and dumps
/// only), so their start is the moment the agent read them; <see cref="KernelStart"/> says which.
/// </summary>
public readonly record struct FlowEvent(
    FlowEventKind Kind, uint Id, byte L4Proto,
    uint LanAddress, int LanPort, uint DstAddress, int DstPort,
    uint PublicAddress, int PublicPort,
    long StartNs, long StopNs, bool KernelStart)
{
    public bool IsIpv4Snat => PublicAddress != LanAddress || PublicPort != LanPort;

    public Proto? Proto => L4Proto switch
    {
        6 => Shared.Summary.Proto.Tcp,
        17 => Shared.Summary.Proto.Udp,
        1 => Shared.Summary.Proto.Icmp,
        _ => null,
    };

    public DestinationKey Destination => new(DstAddress, Proto == Shared.Summary.Proto.Icmp ? (ushort)0 : (ushort)DstPort, Proto ?? 0);

    public static IPAddress Address(uint a) => DestinationKey.ToAddress(a);

    /// <param name="receivedNs">When the agent read the record (UTC ns): the start of a NEW event.</param>
    public static FlowEvent From(in CtRecord r, long receivedNs)
    {
        bool kernel = (r.Flags & CtRecord.FlagTimestamp) != 0;
        return new FlowEvent((FlowEventKind)r.Kind, r.Id, r.L4Proto,
            CtRecord.Ipv4(r.OrigSrc), r.OrigSrcPort,
            CtRecord.Ipv4(r.OrigDst), r.OrigDstPort,
            CtRecord.Ipv4(r.NatSrc), r.NatSrcPort,
            kernel ? (long)r.StartNs : receivedNs, (long)r.StopNs, kernel);
    }
}
