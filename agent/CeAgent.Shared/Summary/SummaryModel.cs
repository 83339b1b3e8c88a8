using CeAgent.Shared.MapE;
using CeAgent.Shared.Time;

namespace CeAgent.Shared.Summary;

/// <summary>IP protocol numbers, as the kernel and the format use them.</summary>
public enum Proto : byte
{
    Icmp = 1,
    Tcp = 6,
    Udp = 17,
}

/// <summary>One protocol's use of the port set during a window.</summary>
/// <param name="PortBitmap">Bit i (most significant bit first) set when the i-th port of the set, in
/// port-set order, carried a flow during the window; ceil(ports / 8) bytes.</param>
public sealed record ProtoUsage(Proto Proto, byte[] PortBitmap, uint NewFlows, uint PeakPorts);

/// <summary>A Golomb-coded set of keyed hashes, each with the interval it was in use (see <see cref="GolombSet"/>).</summary>
public sealed record AttributionFilter(int P, int Count, byte[] Data)
{
    public static AttributionFilter Empty(int p) => new(p, 0, []);
}

/// <summary>What the CE saw during one window aligned to UTC.</summary>
public sealed record WindowSummary(
    long StartUnix,
    uint LengthSeconds,
    ClockQuality Clock,
    IReadOnlyList<ProtoUsage> Protocols,
    uint Exhausted,
    uint LostEvents,
    uint Resyncs,
    AttributionFilter Filter);

/// <summary>The MAP-E parameters the CE worked under, so the ISP can rebuild who held what.</summary>
public sealed record MapeContext(uint Ipv4, int Ipv4PrefixLength, int Psid, MapRule Rule)
{
    public PortSet Ports => PortSet.For(Rule.PsidOffset, Rule.PsidLength, Psid);

    public static MapeContext From(MapeParams p) => new(p.Ipv4Bits, p.Ipv4PrefixLength, p.Psid, p.Rule);
}

/// <summary>The signed unit: one CE's windows, numbered and chained to the message before.</summary>
/// <param name="FilterKeyEpoch">The epoch of the per-CE filter key that keyed this message's filters
/// (docs/privacy.md).</param>
public sealed record SummaryMessage(
    string CeId,
    ulong Seq,
    byte[] PrevHash,
    MapeContext Mape,
    IReadOnlyList<WindowSummary> Windows,
    uint SpoolDropped,
    uint FilterKeyEpoch = 0)
{
    /// <summary>2: the filter lists destination intervals with their times (version 1 listed the destinations
    /// alive in each window, without time; no version-1 message was ever deployed, so none is read).</summary>
    public const int CurrentVersion = 2;
}
