using CeAgent.Shared.Summary;

namespace CeIsp.Store;

/// <summary>One index row of the windows table: a run of a message's windows on one address and PSID
/// whose starts lie within <see cref="WindowGroups.Seconds"/> of the run's first. It stands for its windows
/// in the resolver's search: its span covers theirs and its clock bound is the largest of theirs (-1 if any
/// is unknown), so a condition that admits any of its windows admits the group (ListingReach's lookahead
/// grows with the length it is given). The resolver decodes the message for the windows themselves.</summary>
/// <param name="Index">The first window's index in its message.</param>
/// <param name="Length">The first window's length (the fleet report's window size).</param>
/// <param name="Span">From the group's start to the latest end of its windows, seconds.</param>
public sealed record WindowGroup(int Index, long Start, int Length, long Span, uint Ipv4, int Psid, bool ClockSynchronized, long ClockErrorMs);

/// <summary>
/// A message's windows as index rows (pure). A message's windows span about ten minutes and the resolver
/// reads whole messages anyway, so one row a message instead of one a window: five times fewer B-tree
/// inserts for the collector. A reader searches group starts from <see cref="Seconds"/> before the first
/// window start it wants; longer runs (long windows, a message spanning hours) are cut into several groups
/// so that this widening stays fixed.
/// </summary>
public static class WindowGroups
{
    /// <summary>The most a window's start may lie after its group's start.</summary>
    public const long Seconds = 900;

    /// <summary>A tight group: a known clock bound of at most a minute and a span of at most 15 minutes
    /// (nearly every group of a synchronised CE). The reach admits a tight group only if it starts within
    /// <see cref="TightStarts"/>, a range of about half an hour; the others (unknown or large bounds, long
    /// spans) are few and have an index of their own searched over the whole margin.</summary>
    public const long TightErrorMs = 60_000, TightSpan = 900;

    /// <summary>The SQL condition for a group that is not tight (the loose index's predicate: the same text
    /// in the index and the query, so that SQLite sees the query implies it).</summary>
    public static string LooseSql => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"(clock_error < 0 OR clock_error > {TightErrorMs} OR COALESCE(span, length) > {TightSpan})");

    /// <summary>The starts (UTC seconds, inclusive) a tight group admitted by the reach can have: from
    /// (start + span) * 1000 - 1 + error >= FromMs, and start * 1000 - error <= ToMs + lookahead(span) * 1000.</summary>
    public static (long From, long To) TightStarts(ListingReach reach) =>
        (FloorDiv(reach.FromMs - TightErrorMs, 1000) - TightSpan,
         FloorDiv(reach.ToMs + TightErrorMs, 1000) + SummaryLimits.MaxIntervalSeconds((uint)TightSpan) + 1);

    private static long FloorDiv(long a, long b) => a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0);

    public static bool IsTight(long span, long clockErrorMs) => clockErrorMs is >= 0 and <= TightErrorMs && span <= TightSpan;

    public static List<WindowGroup> Of(IReadOnlyList<WindowRow> windows)
    {
        var groups = new List<WindowGroup>();
        WindowGroup? g = null;
        foreach (WindowRow w in windows)
        {
            long end = w.Start + w.Length;
            // Windows are in time order in a valid message; one out of order starts a group of its own so
            // that a group's start is never after one of its windows'.
            if (g is not null && w.Ipv4 == g.Ipv4 && w.Psid == g.Psid && w.Start >= g.Start && w.Start - g.Start <= Seconds)
            {
                g = g with
                {
                    Span = Math.Max(g.Span, end - g.Start),
                    ClockSynchronized = g.ClockSynchronized && w.ClockSynchronized,
                    ClockErrorMs = g.ClockErrorMs < 0 || w.ClockErrorMs < 0 ? -1 : Math.Max(g.ClockErrorMs, w.ClockErrorMs),
                };
                groups[^1] = g;
                continue;
            }
            g = new WindowGroup(w.Index, w.Start, w.Length, w.Length, w.Ipv4, w.Psid, w.ClockSynchronized, w.ClockErrorMs);
            groups.Add(g);
        }
        return groups;
    }
}
