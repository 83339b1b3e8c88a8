using CeAgent.Shared.MapE;

namespace CeAgent.Shared.Summary;

/// <summary>
/// The resolver's test of one window against one observation, shared by the ISP resolver and the
/// attribution benchmark so the benchmark measures exactly what the ISP would answer.
/// </summary>
public static class WindowMatch
{
    /// <summary>Whether the window, widened by its own clock error bound, overlaps [fromMs, toMs] (UTC ms).
    /// A window whose clock error is unknown overlaps everything: it can neither confirm nor exclude.</summary>
    public static bool Overlaps(WindowSummary w, long fromMs, long toMs) =>
        Overlaps(w.StartUnix, w.LengthSeconds, w.Clock.MaxErrorMs, fromMs, toMs);

    /// <summary>The same test from a window's index entry, before its message is decoded.</summary>
    public static bool Overlaps(long startUnix, long lengthSeconds, uint maxErrorMs, long fromMs, long toMs)
    {
        if (maxErrorMs == uint.MaxValue)
            return true;
        long start = startUnix * 1000 - maxErrorMs;
        long end = (startUnix + lengthSeconds) * 1000 - 1 + maxErrorMs;
        return start <= toMs && end >= fromMs;
    }

    /// <summary>Whether the port of the set carried a flow of the protocol during the window.</summary>
    public static bool PortUsed(WindowSummary w, PortSet ports, Proto proto, int port)
    {
        int index = ports.IndexOf(port);
        if (index < 0)
            return false;
        foreach (ProtoUsage u in w.Protocols)
            if (u.Proto == proto)
                return index / 8 < u.PortBitmap.Length && (u.PortBitmap[index / 8] & (0x80 >> (index % 8))) != 0;
        return false;
    }

    /// <summary>Whether the window's filter holds the destination (or a false positive of it).</summary>
    public static bool DestinationSeen(WindowSummary w, ReadOnlySpan<byte> filterKey, FlowKey destination) =>
        GolombSet.Contains(w.Filter, filterKey, w.StartUnix, destination);

    /// <summary>The whole test: port (when the provider logged it) and destination.</summary>
    public static bool Matches(WindowSummary w, PortSet ports, ReadOnlySpan<byte> filterKey, FlowKey destination, int? sourcePort) =>
        (sourcePort is not { } p || PortUsed(w, ports, destination.Proto, p)) && DestinationSeen(w, filterKey, destination);
}
