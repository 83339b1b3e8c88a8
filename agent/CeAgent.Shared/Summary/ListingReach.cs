namespace CeAgent.Shared.Summary;

/// <summary>
/// The one statement of which windows may list an interval that meets [FromMs, ToMs] (UTC ms): an interval
/// is listed in the window it ends in, at most <see cref="SummaryLimits.MaxIntervalSeconds"/> after it began,
/// so a window may list it when the window, widened by its own clock error bound, overlaps the time
/// stretched by that lookahead; a window whose bound is unknown may list anything. The resolver's store
/// query (<see cref="Sql"/>) and its in-memory check (<see cref="Admits(long, long, long)"/>) are both
/// built here, so the pre-filter in the database can never drop a window the check would keep.
/// </summary>
public readonly record struct ListingReach(long FromMs, long ToMs)
{
    /// <param name="clockErrorMs">The window's clock error bound; negative when unknown (as stored).</param>
    public bool Admits(long startUnix, long lengthSeconds, long clockErrorMs)
    {
        if (clockErrorMs < 0)
            return true;
        long lookaheadMs = SummaryLimits.MaxIntervalSeconds((uint)lengthSeconds) * 1000;
        return startUnix * 1000 - clockErrorMs <= ToMs + lookaheadMs && (startUnix + lengthSeconds) * 1000 - 1 + clockErrorMs >= FromMs;
    }

    public bool Admits(WindowSummary w) => Admits(w.StartUnix, w.LengthSeconds, ErrorOf(w.Clock.MaxErrorMs));

    /// <summary>The clock error bound as the store keeps it: -1 for unknown.</summary>
    public static long ErrorOf(uint maxErrorMs) => maxErrorMs == uint.MaxValue ? -1 : maxErrorMs;

    /// <summary><see cref="Admits(long, long, long)"/> as a SQL condition on the named columns, with the
    /// observation's bounds in the parameters @fm and @tm (<see cref="Parameters"/>).</summary>
    public static string Sql(string start, string length, string clockError) =>
        $"({clockError} < 0 OR ({start} * 1000 - {clockError} <= @tm + (CASE WHEN {length} > {SummaryLimits.IntervalCapSeconds} THEN {length} ELSE {SummaryLimits.IntervalCapSeconds} END) * 1000"
        + $" AND ({start} + {length}) * 1000 - 1 + {clockError} >= @fm))";

    public (string, object)[] Parameters => [("fm", FromMs), ("tm", ToMs)];

    /// <summary>The window starts an index on start searches (UTC seconds, inclusive): admitted windows
    /// whose length and clock error together reach at most <paramref name="marginSeconds"/> back. A window
    /// whose bound is unknown or larger is found only inside this range.</summary>
    public (long From, long To) StartRange(long marginSeconds) =>
        (FromMs / 1000 - marginSeconds,
         ToMs / 1000 + SummaryLimits.MaxIntervalSeconds(SummaryLimits.MaxWindowSeconds) + marginSeconds);
}
