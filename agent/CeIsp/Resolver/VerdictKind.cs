using System.Text.Json.Serialization;

namespace CeIsp.Resolver;

/// <summary>The answer to a disclosure request. The JSON strings are a contract (the CLI prints
/// "verdict: X", the web page and API read them).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VerdictKind>))]
public enum VerdictKind
{
    /// <summary>Exactly one line fits every observation, and every other holder's records rule it out.</summary>
    [JsonStringEnumMemberName("unique")] Unique,
    /// <summary>Several lines fit, or one fits and some holder's records are missing.</summary>
    [JsonStringEnumMemberName("ambiguous")] Ambiguous,
    /// <summary>Every CE that held the address has complete records covering the time, and none fits.</summary>
    [JsonStringEnumMemberName("none")] None,
    /// <summary>No line fits, but someone who held (or may have held) the address left no complete records,
    /// or nobody is known to have held it: "nobody did it" cannot be said.</summary>
    [JsonStringEnumMemberName("unknown")] Unknown,
}

public static class VerdictKindText
{
    /// <summary>The same lowercase word as in JSON.</summary>
    public static string Text(this VerdictKind k) => k switch
    {
        VerdictKind.Unique => "unique",
        VerdictKind.Ambiguous => "ambiguous",
        VerdictKind.None => "none",
        _ => "unknown",
    };
}
