using CeAgent.Aggregation;

namespace CeAgent.Spool;

/// <summary>
/// The aggregator's open destination intervals on flash (<see cref="OpenIntervalSnapshot"/>), written at
/// every window close and deleted at a clean stop, so a crash or power cut loses at most the open window.
/// One file, <c>open</c>, in the spool directory, replaced atomically like the batch journal: with 120-s
/// windows 720 writes a day of 39 bytes plus 10 a destination (docs/robustness.md has the daily figures).
/// </summary>
public sealed class OpenIntervalJournal(string dir)
{
    private readonly FramedFile _file = new(dir, "open");
    private long _savedWindowMs = long.MinValue;

    /// <summary>Restores the last run's snapshot into a fresh aggregator, logging what happened; without a
    /// usable one the agent starts without it and says why.</summary>
    /// <returns>Whether a snapshot was restored.</returns>
    public bool Restore(WindowAggregator aggregator, long nowMs, long closedThroughUnix, Action<string> info, Action<string> warn)
    {
        if (_file.Read(m => warn($"open intervals {m}: not restored, the window of the crash may be incomplete")) is not { } payload)
        {
            if (!Path.Exists(_file.PathName))
                info("open intervals: none saved (first start, or the last run stopped cleanly)");
            return false;
        }
        try
        {
            OpenIntervalSnapshot s = OpenIntervalCodec.Decode(payload);
            aggregator.Restore(s, nowMs, closedThroughUnix);
            info($"open intervals: {s.Intervals.Count} restored from {_file.PathName}; the window at {aggregator.WindowStartMs / 1000} is reopened and marked incomplete (the crash lost its closed intervals)");
            return true;
        }
        catch (FormatException e)
        {
            warn($"open intervals {_file.PathName}: {e.Message}: not restored, the window of the crash may be incomplete");
            return false;
        }
    }

    /// <summary>Writes the snapshot when the aggregator has moved to a new window since the last write.</summary>
    public void SaveIfMoved(WindowAggregator aggregator)
    {
        if (aggregator.WindowStartMs == _savedWindowMs || aggregator.WindowStartMs == long.MinValue)
            return;
        _file.Write(OpenIntervalCodec.Encode(aggregator.OpenIntervals()));
        _savedWindowMs = aggregator.WindowStartMs;
    }

    /// <summary>At a clean stop every interval has been listed: nothing is left to restore.</summary>
    public void Delete() => _file.Delete();
}
