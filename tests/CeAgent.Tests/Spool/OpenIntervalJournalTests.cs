using System.Net;
using CeAgent.Aggregation;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;
using CeAgent.Spool;

namespace CeAgent.Tests.Spool;

/// <summary>The snapshot file: written when a window closes, read back after a crash, and a damaged, truncated
/// or forged one is named in a warning while the agent starts without it.</summary>
public sealed class OpenIntervalJournalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ce-open-").FullName;
    private readonly List<string> _info = [], _warnings = [];
    private static readonly PortSet Ports = PortSet.For(4, 8, 0x34);
    private static readonly byte[] Key = new byte[16];
    private static readonly ClockQuality Good = new(ClockSource.Ntp, true, 20);
    private const long T0 = 1_795_000_020_000;
    private static readonly FlowKey Dst = new(IPAddress.Parse("203.0.113.1"), 443, Proto.Tcp);

    public void Dispose() => Directory.Delete(_dir, true);

    private string PathName => Path.Combine(_dir, "open");

    private static WindowAggregator Running()
    {
        var a = new WindowAggregator(Ports, Key);
        a.Open(Proto.Tcp, Ports.PortAt(5), Dst, T0 + 10_000);
        a.Advance(T0 + 120_000, Good);
        return a;
    }

    private WindowAggregator RestoreFresh(long nowMs = T0 + 200_000)
    {
        var b = new WindowAggregator(Ports, Key);
        new OpenIntervalJournal(_dir).Restore(b, nowMs, long.MinValue, _info.Add, _warnings.Add);
        return b;
    }

    [Fact]
    public void Written_when_a_window_closes_and_restored_after_a_crash()
    {
        var journal = new OpenIntervalJournal(_dir);
        WindowAggregator a = Running();
        journal.SaveIfMoved(a);
        DateTime written = File.GetLastWriteTimeUtc(PathName);
        File.SetLastWriteTimeUtc(PathName, written.AddDays(-1));
        journal.SaveIfMoved(a); // same window: no write (flash wear)
        Assert.Equal(written.AddDays(-1), File.GetLastWriteTimeUtc(PathName));
        Assert.Equal(20 + 19 + 10, new FileInfo(PathName).Length);

        WindowAggregator b = RestoreFresh();
        Assert.Empty(_warnings);
        Assert.Contains("1 restored from " + PathName, Assert.Single(_info));
        Assert.Equal(T0 + 120_000, b.WindowStartMs);
        Assert.Equal(1, b.EndRestored());
    }

    [Fact]
    public void A_clean_stop_leaves_nothing_to_restore_and_a_start_says_so()
    {
        var journal = new OpenIntervalJournal(_dir);
        journal.SaveIfMoved(Running());
        journal.Delete();
        Assert.False(File.Exists(PathName));
        Assert.Equal(long.MinValue, RestoreFresh().WindowStartMs);
        Assert.Contains("none saved", Assert.Single(_info));
        Assert.Empty(_warnings);
    }

    [Fact]
    public void Every_truncation_is_named_and_the_agent_starts_without_it()
    {
        new OpenIntervalJournal(_dir).SaveIfMoved(Running());
        byte[] whole = File.ReadAllBytes(PathName);
        for (int n = 0; n < whole.Length; n++)
        {
            File.WriteAllBytes(PathName, whole[..n]);
            _warnings.Clear();
            Assert.Equal(long.MinValue, RestoreFresh().WindowStartMs);
            Assert.StartsWith($"open intervals {PathName}: damaged ({n} bytes", Assert.Single(_warnings));
        }
        File.WriteAllBytes(PathName, [.. whole, 0]);
        _warnings.Clear();
        Assert.Equal(long.MinValue, RestoreFresh().WindowStartMs);
        Assert.Contains("damaged", Assert.Single(_warnings));
    }

    [Fact]
    public void A_forged_payload_in_a_good_frame_is_named_and_not_restored()
    {
        byte[] payload = OpenIntervalCodec.Encode(Running().OpenIntervals());
        payload[28] = 0xFF; // the age: longer than an interval can be
        new FramedFile(_dir, "open").Write(payload);
        Assert.Equal(long.MinValue, RestoreFresh().WindowStartMs);
        string w = Assert.Single(_warnings);
        Assert.StartsWith($"open intervals {PathName}: interval 0: open", w);
        Assert.EndsWith("not restored, the window of the crash may be incomplete", w);
    }

    [Fact]
    public void A_snapshot_from_a_clock_that_went_back_is_named_and_not_restored()
    {
        new OpenIntervalJournal(_dir).SaveIfMoved(Running());
        Assert.Equal(long.MinValue, RestoreFresh(nowMs: 0).WindowStartMs);
        Assert.Contains("the clock went back", Assert.Single(_warnings));
    }

    [Fact]
    public void A_huge_or_unreadable_file_is_named()
    {
        File.WriteAllBytes(PathName, new byte[SpoolFrame.HeaderSize + SpoolFrame.MaxPayload + 1]);
        RestoreFresh();
        Assert.Contains("larger than a frame can be", Assert.Single(_warnings));
        File.Delete(PathName);
        Directory.CreateDirectory(PathName);
        _warnings.Clear();
        RestoreFresh();
        Assert.Contains("unreadable", Assert.Single(_warnings));
    }
}
