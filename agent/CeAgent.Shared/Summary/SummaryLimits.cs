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

    /// <summary>CE ids become MQTT topic levels and file names: keep them to a safe alphabet.</summary>
    public static bool IsValidCeId(string id) =>
        id.Length is > 0 and <= MaxCeIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && id[0] != '.';
}
