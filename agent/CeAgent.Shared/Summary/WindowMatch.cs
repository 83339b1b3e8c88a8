using CeAgent.Shared.MapE;

namespace CeAgent.Shared.Summary;

/// <summary>What one CE's windows say of one observation (see <c>WindowMatch.Test</c>).</summary>
/// <param name="Active">Windows that overlap the observation's time: the CE was doing something then.</param>
/// <param name="Searched">Windows whose filter could list an interval at that time.</param>
/// <param name="PortSeen">The source port was in use at that time, or the provider did not log one.</param>
/// <param name="ListedIn">Indices of the windows whose filter lists the destination at that time.</param>
/// <param name="FalseListingChance">Chance that one of the searched filters lists the destination falsely:
/// an upper bound, since a false entry must also carry a time that fits.</param>
/// <param name="Incomplete">A window that could list the destination is not whole here: a part of it is
/// missing, or the CE said it could not record every interval. Without a listing this rules nobody out.</param>
public sealed record WindowTest(int Active, int Searched, bool PortSeen, IReadOnlyList<int> ListedIn, double FalseListingChance, bool Incomplete = false)
{
    public bool Matched => PortSeen && ListedIn.Count > 0;
}

/// <summary>
/// The resolver's test of a CE's windows against one observation, shared by the ISP resolver and the
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

    /// <summary>How far past a time the windows that list an interval alive then can lie: an interval is
    /// listed in the window it ends in, and is cut (and listed again) before it grows longer than this.</summary>
    public static long LookaheadMs(uint windowLength) => SummaryLimits.MaxIntervalSeconds(windowLength) * 1000;

    /// <summary>Whether the window's filter may list an interval that meets [fromMs, toMs] (<see cref="ListingReach"/>).</summary>
    public static bool MayList(WindowSummary w, long fromMs, long toMs) => new ListingReach(fromMs, toMs).Admits(w);

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

    /// <summary>Whether the window's filter lists the destination (or a false positive of it) at a time
    /// that meets [fromMs, toMs], the listed interval widened by the window's clock error bound.</summary>
    public static bool DestinationSeen(WindowSummary w, ReadOnlySpan<byte> filterKey, FlowKey destination, long fromMs, long toMs)
    {
        long error = w.Clock.MaxErrorMs == uint.MaxValue ? long.MaxValue / 4 : w.Clock.MaxErrorMs;
        return GolombSet.ListsAt(w.Filter, filterKey, w.StartUnix, w.LengthSeconds, destination, fromMs, toMs, error);
    }

    /// <summary>The whole test over one CE's windows near the observation (any order, others ignored):
    /// the port (when the provider logged it) in a window at that time, and the destination listed at
    /// that time by any window that can list it.</summary>
    public static WindowTest Test(IReadOnlyList<WindowSummary> windows, PortSet ports, ReadOnlySpan<byte> filterKey,
        FlowKey destination, int? sourcePort, long fromMs, long toMs)
    {
        byte[] key = filterKey.ToArray();
        return Test(windows, ports, _ => key, destination, sourcePort, fromMs, toMs);
    }

    /// <summary>As above, each window tested with its own key (<paramref name="filterKeyOf"/> gets the window's
    /// index): a CE's windows near a time can span a filter key epoch change.</summary>
    public static WindowTest Test(IReadOnlyList<WindowSummary> windows, PortSet ports, Func<int, byte[]> filterKeyOf,
        FlowKey destination, int? sourcePort, long fromMs, long toMs)
    {
        int active = 0, searched = 0;
        double noFalseListing = 1;
        bool portSeen = sourcePort is null;
        foreach (WindowSummary w in windows)
            if (Overlaps(w, fromMs, toMs))
            {
                active++;
                portSeen |= sourcePort is { } p && PortUsed(w, ports, destination.Proto, p);
            }
        var listedIn = new List<int>();
        for (int i = 0; i < windows.Count; i++)
            if (MayList(windows[i], fromMs, toMs))
            {
                searched++;
                noFalseListing *= 1 - Math.Pow(2, -windows[i].Filter.P);
                // Without the port there is no match: the filters need not be read.
                if (portSeen && DestinationSeen(windows[i], filterKeyOf(i), destination, fromMs, toMs))
                    listedIn.Add(i);
            }
        return new WindowTest(active, searched, portSeen, listedIn, 1 - noFalseListing, AnyIncomplete(windows, fromMs, toMs));
    }

    /// <summary>Whether a window that may list an interval at that time is split and not all its parts are
    /// here, or says intervals went unrecorded: listed in any part is listed, ruled out only when whole.</summary>
    public static bool AnyIncomplete(IReadOnlyList<WindowSummary> windows, long fromMs, long toMs)
    {
        var partsSeen = new Dictionary<long, (int Parts, HashSet<int> Seen)>();
        foreach (WindowSummary w in windows)
        {
            if (!MayList(w, fromMs, toMs))
                continue;
            if (w.Unrecorded > 0)
                return true;
            if (w.Parts == 1)
                continue;
            if (!partsSeen.TryGetValue(w.StartUnix, out var entry))
                partsSeen[w.StartUnix] = entry = (w.Parts, []);
            entry.Seen.Add(w.Part);
        }
        return partsSeen.Values.Any(e => e.Seen.Count < e.Parts);
    }
}
