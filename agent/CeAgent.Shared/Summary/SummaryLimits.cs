namespace CeAgent.Shared.Summary;

/// <summary>Bounds the decoder enforces, so a hostile message cannot make the collector allocate or loop
/// without limit. Generous for real CEs: a 60-s window of a busy household is a few hundred bytes.</summary>
public static class SummaryLimits
{
    public const int MaxMessageBytes = 256 * 1024;
    public const int MaxWindows = 64;
    public const int MaxCeIdLength = 64;
    public const int MaxFilterBytes = 64 * 1024;
    public const int MaxFilterKeys = 65535;
    public const int MaxWindowSeconds = 3600;

    /// <summary>Sequences are stored as signed 64-bit integers and start at 1.</summary>
    public const ulong MaxSeq = long.MaxValue;

    /// <summary>Parts a window may be split into: 128 x <see cref="PartEntries"/> = 1,048,576 destination
    /// intervals a window, about 6 MB of filters held by the agent until the window closes.</summary>
    public const int MaxParts = 128;

    /// <summary>Entries the agent puts in one part's filter. Even at the longest codes (P = 32: a 34-bit gap,
    /// a 12-bit end offset, a 17-bit length) 8,192 entries fill 64,512 bytes, inside <see cref="MaxFilterBytes"/>.</summary>
    public const int PartEntries = 8192;

    /// <summary>The agent signs what it has batched before a message would grow past this (payload bytes):
    /// three full parts fit, and the signed message stays well under a broker's 256 KiB limit.</summary>
    public const int MessageBudgetBytes = 200_000;

    /// <summary>Whether windows of this length tile a UTC day: 1-3600 s and a divisor of 86,400.</summary>
    public static bool IsValidWindowLength(long seconds) => seconds is >= 1 and <= MaxWindowSeconds && 86400 % seconds == 0;

    /// <summary>The longest interval a filter entry may hold: a longer one is cut at a window boundary and
    /// listed again, so the resolver need look only this far past a time for the windows that list it.
    /// Ten minutes, or the window if that is longer (a segment is cut only at window ends).</summary>
    public static long MaxIntervalSeconds(uint windowLength) => Math.Max(IntervalCapSeconds, windowLength);

    public const int IntervalCapSeconds = 600;

    /// <summary>CE ids become MQTT topic levels and file names: keep them to a safe alphabet.</summary>
    public static bool IsValidCeId(string id) =>
        id.Length is > 0 and <= MaxCeIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && id[0] != '.';
}
