namespace CeAgent.Bench.Workload;

/// <summary>What a content provider sees as "its" address: destination IPv4, port and protocol.</summary>
public readonly record struct DestKey(uint Ip, ushort Port, byte Proto)
{
    public const byte Tcp = 6;
    public const byte Udp = 17;

    public override string ToString() =>
        $"{Ip >> 24}.{(Ip >> 16) & 255}.{(Ip >> 8) & 255}.{Ip & 255}:{Port}/{(Proto == Tcp ? "tcp" : "udp")}";
}

/// <summary>
/// One NAT binding as conntrack sees it. Times are milliseconds since the simulated day's UTC midnight.
/// The binding lives from <see cref="StartMs"/> until <see cref="EndMs"/> (conntrack DESTROY, so it
/// includes the TIME_WAIT/UDP timeout linger); the application talks only until <see cref="ActiveEndMs"/>,
/// and a provider can only log an access inside [StartMs, ActiveEndMs].
/// </summary>
public readonly record struct Flow(int Household, int PublicPort, DestKey Dest, int StartMs, int ActiveEndMs, int EndMs)
{
    public bool Overlaps(int fromMs, int toMs) => StartMs <= toMs && EndMs >= fromMs;
}
