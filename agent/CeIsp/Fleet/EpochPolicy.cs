namespace CeIsp.Fleet;

/// <summary>isp.json <c>filterKeyEpoch</c>: the epoch the ISP provisions now, since when, and how long a CE may
/// keep sending under the previous one while its new key reaches it.</summary>
public sealed record EpochPolicy
{
    public uint Current { get; set; }
    public DateTimeOffset Since { get; set; }
    public int GraceDays { get; set; } = 7;

    /// <summary>The first thing wrong, named by its field, or null.</summary>
    public string? Problem() =>
        Current == 0 ? "filterKeyEpoch.current: give the epoch provisioned now (1 or more)"
        : Since == default ? "filterKeyEpoch.since: missing (when the current epoch began, RFC 3339 with offset)"
        : GraceDays is < 0 or > 365 ? $"filterKeyEpoch.graceDays: {GraceDays} is outside 0..365"
        : null;
}
