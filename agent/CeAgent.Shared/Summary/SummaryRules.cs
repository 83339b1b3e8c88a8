namespace CeAgent.Shared.Summary;

/// <summary>
/// What a message must mean, beyond being well formed: the decoder refuses a validly signed message that
/// breaks these, and the agent checks its own before signing, so neither side stores what the other would
/// refuse. Each error names the field.
/// </summary>
public static class SummaryRules
{
    public static void Check(SummaryMessage m)
    {
        if (m.Seq is 0 or > SummaryLimits.MaxSeq)
            throw new SummaryFormatException($"sequence: {m.Seq} is outside 1..{SummaryLimits.MaxSeq}");
        if (m.Windows.Count is 0 or > SummaryLimits.MaxWindows)
            throw new SummaryFormatException($"windows: a message carries 1-{SummaryLimits.MaxWindows} windows, this one {m.Windows.Count}");
        for (int i = 0; i < m.Windows.Count; i++)
            CheckWindow(m.Windows, i);
    }

    private static void CheckWindow(IReadOnlyList<WindowSummary> windows, int i)
    {
        WindowSummary w = windows[i];
        if (!SummaryLimits.IsValidWindowLength(w.LengthSeconds))
            throw new SummaryFormatException($"window {i} length: {w.LengthSeconds} s does not divide a day into whole windows");
        if (w.StartUnix < 0 || w.StartUnix % w.LengthSeconds != 0)
            throw new SummaryFormatException($"window {i} start: {w.StartUnix} is not aligned to the window length of {w.LengthSeconds} s");
        if (w.Parts is < 1 or > SummaryLimits.MaxParts || w.Part < 0 || w.Part >= w.Parts)
            throw new SummaryFormatException($"window {i} part: {w.Part} of {w.Parts}");
        // Only part 0 knows the whole window's usage; the others are filters alone, so nothing is counted twice.
        if (w.Part > 0 && (w.Protocols.Count > 0 || w.Exhausted + w.LostEvents + w.Resyncs + w.Unrecorded > 0))
            throw new SummaryFormatException($"window {i} part: part {w.Part} of {w.Parts} carries protocols or counters (only part 0 does)");
        if (i == 0)
            return;
        WindowSummary prev = windows[i - 1];
        if (w.StartUnix == prev.StartUnix)
        {
            if (w.LengthSeconds != prev.LengthSeconds || w.Parts != prev.Parts || w.Part <= prev.Part)
                throw new SummaryFormatException($"window {i} start: repeats window {i - 1} ({prev.StartUnix}) without being its next part");
        }
        else if (w.StartUnix < prev.StartUnix + prev.LengthSeconds)
            throw new SummaryFormatException($"window {i} start: {w.StartUnix} is before the end of window {i - 1} ({prev.StartUnix} + {prev.LengthSeconds} s): windows ascend and do not overlap");
    }
}
