using CeAgent.Shared.Summary;

namespace CeAgent.Spool;

/// <summary>
/// Closed windows the emitter holds until a batch is signed (5 by default: 10 minutes at 120 s windows),
/// kept on flash so that a crash or power cut loses at most the window still open. One small file in the
/// spool directory, replaced atomically (write, fsync, rename, fsync the directory) at every window close
/// and deleted when the batch is signed: with the default 120 s windows 720 writes a day of 1-4 windows
/// (about 0.2 kB each for an ordinary household), some 0.4 MB a day. The payload is the summary encoding
/// (an unsigned message) inside a spool frame, whose CRC rejects a torn write.
/// </summary>
public sealed class BatchJournal(string dir, string ceId, MapeContext mape)
{
    private readonly FramedFile _file = new(dir, "batch");

    /// <summary>The windows stored by the last run that are newer than <paramref name="signedThrough"/>
    /// (the start of the newest window already signed: a delete that did not reach flash before the power
    /// went must not sign a window twice).</summary>
    public IReadOnlyList<WindowSummary> Restore(long signedThrough, Action<string> warn)
    {
        if (_file.Read(m => warn($"batch journal {m}, its windows are lost")) is not { } payload)
            return [];
        try
        {
            return [.. SummaryCodec.Decode(payload).Windows.Where(w => w.StartUnix > signedThrough)];
        }
        catch (FormatException e)
        {
            warn($"batch journal unreadable, its windows are lost: {e.Message}");
            return [];
        }
    }

    /// <summary>The start of the newest window in a signed message, or long.MinValue.</summary>
    public static long LastWindowStart(SpoolRecord? newest)
    {
        if (newest is null)
            return long.MinValue;
        try
        {
            var windows = SummaryCodec.Decode(CoseSign1.Parse(newest.Payload).Payload, readFilters: false).Windows;
            return windows.Count == 0 ? long.MinValue : windows.Max(w => w.StartUnix);
        }
        catch (FormatException)
        {
            return long.MinValue;
        }
    }

    /// <summary>Replaces the journal with <paramref name="windows"/>; an empty batch removes it.</summary>
    public void Save(IReadOnlyList<WindowSummary> windows)
    {
        if (windows.Count == 0)
            _file.Delete();
        else
            _file.Write(SummaryCodec.Encode(new SummaryMessage(ceId, 1, [], mape, windows, 0)));
    }
}
