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

/// <summary>A CE's newest stored message: the epoch its filters were keyed with, and when it arrived.</summary>
public sealed record CeEpoch(string CeId, long Seq, uint Epoch, DateTimeOffset ReceivedAt);

/// <summary>
/// Which CEs keep a filter key too long (pure). A CE is flagged when its newest message, received after the
/// grace period of the current epoch, still names an older epoch (its new key did not reach it, or it
/// ignores it: its summaries stay under a key that should be retired); when it names an epoch ahead of the
/// current one (provisioned by mistake); or when it names none. A CE that has sent nothing since the grace
/// period ended is not flagged: it is offline, not stale.
/// </summary>
public static class EpochCheck
{
    public static string? Flag(EpochPolicy policy, CeEpoch ce)
    {
        if (ce.Epoch == 0)
            return "its messages name no filter key epoch (an agent from before per-CE keys)";
        if (ce.Epoch > policy.Current)
            return $"epoch {ce.Epoch} is ahead of the current epoch {policy.Current} (provisioned by mistake?)";
        DateTimeOffset deadline = policy.Since.AddDays(policy.GraceDays);
        if (ce.Epoch < policy.Current && ce.ReceivedAt > deadline)
            return $"still on epoch {ce.Epoch} on {ce.ReceivedAt:yyyy-MM-dd HH:mm}Z, after the grace period of epoch {policy.Current} ended ({deadline:yyyy-MM-dd HH:mm}Z)";
        return null;
    }
}
