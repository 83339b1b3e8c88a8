using CeAgent.Shared.Summary;

namespace CeIsp.Fleet;

/// <summary>What a CE's messages of the report's period said about its health, summed (pure input).</summary>
/// <param name="LastEnd">When its newest stored window ends (UTC seconds); null if it has sent nothing.</param>
/// <param name="WindowSeconds">The length of its windows, to count silence in windows.</param>
public sealed record CeTelemetry(string CeId, string Line, long? LastEnd, int WindowSeconds, int Messages = 0, int UnsyncedWindows = 0,
    int UnknownBoundWindows = 0, long Exhausted = 0, long LostEvents = 0, long SpoolDropped = 0)
{
    /// <summary>Adds one message's windows and counters.</summary>
    public CeTelemetry With(SummaryMessage m) => this with
    {
        Messages = Messages + 1,
        UnsyncedWindows = UnsyncedWindows + m.Windows.Count(w => w.Part == 0 && !w.Clock.Synchronized),
        UnknownBoundWindows = UnknownBoundWindows + m.Windows.Count(w => w.Part == 0 && w.Clock.MaxErrorMs == uint.MaxValue),
        Exhausted = Exhausted + m.Windows.Sum(w => (long)w.Exhausted),
        LostEvents = LostEvents + m.Windows.Sum(w => (long)w.LostEvents),
        SpoolDropped = SpoolDropped + m.SpoolDropped,
    };
}

/// <summary>
/// Which CEs operations should look at (pure): silent for more than a number of windows (a CE off, cut off,
/// or whose messages stopped reaching the collectors: the resolver cannot rule it out for that time); with a
/// clock that was not synchronised (its windows place accesses loosely, or not at all); that ran out of
/// ports (the household's traffic failed, and it needs a larger port set); that lost conntrack events (its
/// records may miss flows); or that dropped summaries from its spool (records lost for good: gaps the
/// resolver will report as unknown).
/// </summary>
public static class FleetHealth
{
    public static List<string> Flags(CeTelemetry t, int silentWindows, long nowSeconds)
    {
        var flags = new List<string>();
        if (t.LastEnd is not { } end)
            flags.Add("enrolled but has sent nothing");
        else if (Silent(t, nowSeconds) is var silent and > 0 && silent > silentWindows)
            flags.Add($"silent for {silent} windows (more than {silentWindows}) since {DateTimeOffset.FromUnixTimeSeconds(end):yyyy-MM-dd HH:mm}Z");
        if (t.UnsyncedWindows > 0)
            flags.Add($"clock not synchronised in {t.UnsyncedWindows} window(s){(t.UnknownBoundWindows > 0 ? $", {t.UnknownBoundWindows} without any error bound" : "")}");
        if (t.Exhausted > 0)
            flags.Add($"port set exhausted {t.Exhausted} time(s)");
        if (t.LostEvents > 0)
            flags.Add($"lost {t.LostEvents} conntrack event(s)");
        if (t.SpoolDropped > 0)
            flags.Add($"dropped {t.SpoolDropped} summary message(s) from its spool");
        return flags;
    }

    /// <summary>Whole windows since its newest window ended (0 when it is current or ahead).</summary>
    public static long Silent(CeTelemetry t, long nowSeconds) =>
        t.LastEnd is { } end && nowSeconds > end ? (nowSeconds - end) / Math.Max(1, t.WindowSeconds) : 0;
}
