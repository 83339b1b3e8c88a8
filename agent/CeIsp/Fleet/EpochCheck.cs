namespace CeIsp.Fleet;

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
