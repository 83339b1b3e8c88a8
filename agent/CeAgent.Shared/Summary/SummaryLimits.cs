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

    /// <summary>The longest interval a filter entry may hold: a longer one is cut at a window boundary and
    /// listed again, so the resolver need look only this far past a time for the windows that list it.
    /// Ten minutes, or the window if that is longer (a segment is cut only at window ends).</summary>
    public static long MaxIntervalSeconds(uint windowLength) => Math.Max(IntervalCapSeconds, windowLength);

    public const int IntervalCapSeconds = 600;

    /// <summary>CE ids become MQTT topic levels and file names: keep them to a safe alphabet.</summary>
    public static bool IsValidCeId(string id) =>
        id.Length is > 0 and <= MaxCeIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && id[0] != '.';
}
