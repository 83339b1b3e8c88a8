using System.Buffers.Binary;
using System.Net;
using CeAgent.Aggregation;
using CeAgent.Shared.Summary;
using static CeAgent.Tests.Aggregation.AggregatorFixture;

namespace CeAgent.Tests.Aggregation;

/// <summary>The open intervals survive a crash: snapshot, encoding, and the restore's choices.</summary>
public class OpenIntervalsTests
{
    private const long T0 = 1_795_000_020_000; // a window boundary, in ms
    private const long S0 = T0 / 1000;

    /// <summary>A run that crashed: Dst(1) open since T0+10 s across two window closes, Dst(2) opened in the open window.</summary>
    private static OpenIntervalSnapshot Crashed()
    {
        var a = new WindowAggregator(Ports, Key);
        a.SetClock(Good);
        a.Open(Proto.Tcp, Ports.PortAt(5), Dst(1), T0 + 10_500);
        a.Advance(T0 + 120_000, Good);
        Assert.Equal(2, Drain(a).Count);
        a.Open(Proto.Tcp, Ports.PortAt(6), Dst(2), T0 + 130_000);
        return a.OpenIntervals();
    }

    private static WindowAggregator Restarted(long nowMs, long closedThrough = long.MinValue)
    {
        var b = new WindowAggregator(Ports, Key);
        b.SetClock(Good);
        b.Restore(OpenIntervalCodec.Decode(OpenIntervalCodec.Encode(Crashed())), nowMs, closedThrough);
        return b;
    }

    [Fact]
    public void The_snapshot_holds_the_intervals_open_across_the_open_windows_start()
    {
        OpenIntervalSnapshot s = Crashed();
        Assert.Equal((S0 + 120, 60u, 0u), (s.WindowStartUnix, s.WindowSeconds, s.Dropped));
        // Dst(2) began inside the open window: a crash now declares that window incomplete anyway.
        Assert.Equal([new OpenInterval(Dst(1), S0 + 10)], s.Intervals);
    }

    [Fact]
    public void A_flow_still_alive_after_the_restart_keeps_its_intervals_start()
    {
        WindowAggregator b = Restarted(T0 + 200_000, closedThrough: S0 + 60);
        b.Open(Proto.Tcp, Ports.PortAt(5), Dst(1), T0 + 10_500); // the start-up dump, with the kernel's start
        Assert.Equal(0, b.EndRestored());
        b.Close(Proto.Tcp, Ports.PortAt(5), Dst(1), T0 + 250_000);
        b.Advance(T0 + 300_000, Good);
        List<WindowSummary> ws = Drain(b);
        Assert.Equal([S0 + 120, S0 + 180, S0 + 240], ws.Select(w => w.StartUnix));
        // The reopened window says the crash cost it intervals: the resolver answers unknown, not none.
        Assert.Equal([1u, 0u, 0u], ws.Select(w => w.Unrecorded));
        Assert.Equal([new Listed(S0 + 10, S0 + 250)], Listed(ws[2], Dst(1)));
        Assert.Empty(Listed(ws[0], Dst(1)));
    }

    [Fact]
    public void An_interval_whose_flows_are_gone_ends_where_the_agent_last_saw_it_open()
    {
        WindowAggregator b = Restarted(T0 + 200_000);
        Assert.Equal(1, b.EndRestored()); // a power cut: the dump is empty
        b.Advance(T0 + 300_000, Good);
        WindowSummary w = Assert.Single(Drain(b));
        Assert.Equal((S0 + 120, 1u), (w.StartUnix, w.Unrecorded));
        Assert.Equal([new Listed(S0 + 10, S0 + 120)], Listed(w, Dst(1)));
        Assert.Equal(Good, w.Clock);
    }

    [Fact]
    public void A_younger_flow_that_moves_past_the_reopened_window_ends_the_gone_intervals_in_it()
    {
        WindowAggregator b = Restarted(T0 + 400_000);
        b.Open(Proto.Udp, Ports.PortAt(1), Dst(3), T0 + 390_000); // began while the agent was down
        Assert.Equal(0, b.EndRestored());
        b.Advance(T0 + 420_000, Good);
        List<WindowSummary> ws = Drain(b);
        Assert.Equal(S0 + 120, ws[0].StartUnix);
        Assert.Equal([new Listed(S0 + 10, S0 + 120)], Listed(ws[0], Dst(1)));
        Assert.Equal(1u, ws[0].Unrecorded);
        Assert.Equal(S0 + 360, ws[^1].StartUnix);
    }

    [Fact]
    public void The_dropped_count_carries_into_the_reopened_window_and_never_wraps()
    {
        foreach (uint dropped in new[] { 0u, 41u, uint.MaxValue - 1, uint.MaxValue })
        {
            var b = new WindowAggregator(Ports, Key);
            b.Restore(Crashed() with { Dropped = dropped }, T0 + 200_000, long.MinValue);
            b.EndRestored();
            b.Advance(T0 + 300_000, Good);
            Assert.Equal(dropped == uint.MaxValue ? uint.MaxValue : dropped + 1, Assert.Single(Drain(b)).Unrecorded);
        }
    }

    [Fact]
    public void A_snapshot_a_step_behind_the_journal_reopens_the_next_window_never_a_closed_one()
    {
        // The power went between the batch journal's write (window S0+120 closed) and the snapshot's.
        WindowAggregator b = Restarted(T0 + 200_000, closedThrough: S0 + 120);
        Assert.Equal(T0 + 180_000, b.WindowStartMs);
        b.EndRestored();
        b.Advance(T0 + 300_000, Good);
        WindowSummary w = Assert.Single(Drain(b));
        Assert.Equal(S0 + 180, w.StartUnix);
        Assert.Equal([new Listed(S0 + 10, S0 + 180)], Listed(w, Dst(1)));
    }

    [Fact]
    public void A_snapshot_the_agent_cannot_continue_from_is_refused_with_the_reason()
    {
        var other = new WindowAggregator(Ports, Key, windowSeconds: 120);
        Assert.Contains("60-s windows, the agent now uses 120-s", Assert.Throws<FormatException>(() => other.Restore(Crashed(), T0 + 200_000, long.MinValue)).Message);
        var b = new WindowAggregator(Ports, Key);
        Assert.Contains("the clock went back", Assert.Throws<FormatException>(() => b.Restore(Crashed(), T0, long.MinValue)).Message);
        Assert.Equal(long.MinValue, b.WindowStartMs);
        b.Open(Proto.Tcp, Ports.PortAt(5), Dst(1), T0);
        Assert.Throws<InvalidOperationException>(() => b.Restore(Crashed(), T0 + 200_000, long.MinValue));
    }

    private static OpenIntervalSnapshot Mixed() => new(S0 + 120, 60, [
        new(Dst(1), S0 + 10),
        new(new FlowKey(IPAddress.Parse("2001:db8::1"), 53, Proto.Udp), S0 + 120),
        new(new FlowKey(IPAddress.Parse("198.51.100.7"), 0, Proto.Icmp), S0 + 120 - 600),
    ], 3);

    [Fact]
    public void The_encoding_round_trips_and_says_what_it_dropped()
    {
        byte[] bytes = OpenIntervalCodec.Encode(Mixed());
        Assert.Equal(19 + 10 + 22 + 10, bytes.Length);
        OpenIntervalSnapshot back = OpenIntervalCodec.Decode(bytes);
        Assert.Equal(Mixed().Intervals, back.Intervals);
        Assert.Equal((S0 + 120, 60u, 3u), (back.WindowStartUnix, back.WindowSeconds, back.Dropped));
        // Over the size bound the rest is counted, never silently lost.
        OpenIntervalSnapshot capped = OpenIntervalCodec.Decode(OpenIntervalCodec.Encode(Mixed(), maxBytes: 19 + 10 + 10));
        Assert.Equal([Mixed().Intervals[0], Mixed().Intervals[2]], capped.Intervals);
        Assert.Equal(4u, capped.Dropped);
    }

    [Fact]
    public void Every_truncation_is_refused()
    {
        byte[] bytes = OpenIntervalCodec.Encode(Mixed());
        for (int n = 0; n < bytes.Length; n++)
            Assert.Throws<FormatException>(() => OpenIntervalCodec.Decode(bytes.AsSpan(0, n)));
    }

    [Fact]
    public void Every_bit_flip_is_refused_or_decodes_to_exactly_those_bytes()
    {
        byte[] bytes = OpenIntervalCodec.Encode(Mixed());
        int refused = 0;
        for (int i = 0; i < bytes.Length * 8; i++)
        {
            byte[] forged = [.. bytes];
            forged[i / 8] ^= (byte)(1 << (i % 8));
            try
            {
                Assert.Equal(forged, OpenIntervalCodec.Encode(OpenIntervalCodec.Decode(forged)));
            }
            catch (FormatException)
            {
                refused++;
            }
        }
        Assert.InRange(refused, 40, bytes.Length * 8 - 40); // both outcomes happen: the test can fail either way
    }

    public static TheoryData<string, int, byte[], string> Forgeries() => new()
    {
        { "version", 0, [2], "version 2" },
        { "window length", 1, [7, 0], "window length 7 s" },
        { "window length 0", 1, [0, 0], "window length 0 s" },
        { "unaligned start", 3, [1], "not a 60-s boundary" },
        { "count", 15, [0xFF, 0xFF, 0, 0], "65535 intervals claimed" },
        { "protocol", 19, [9], "interval 0: protocol 9" },
        { "address length", 20, [5], "interval 0: address length 5" },
        { "age over the cap", 27, [0x59, 0x02], "interval 0: open 601 s" },
        { "duplicate", 29, [6, 4, 203, 0, 113, 1, 0xBB, 0x01], "interval 1: 203.0.113.1 port 443 listed twice" },
        { "mapped", 31, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1, 2, 3, 4], "IPv4-mapped" },
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public void A_forged_field_is_refused_by_name(string what, int at, byte[] patch, string error)
    {
        byte[] bytes = OpenIntervalCodec.Encode(Mixed());
        patch.CopyTo(bytes, at);
        Assert.True(what.Length > 0);
        Assert.Contains(error, Assert.Throws<FormatException>(() => OpenIntervalCodec.Decode(bytes)).Message);
    }

    [Fact]
    public void Trailing_bytes_are_refused()
    {
        byte[] bytes = [.. OpenIntervalCodec.Encode(Mixed()), 0];
        Assert.Contains("1 bytes after the last interval", Assert.Throws<FormatException>(() => OpenIntervalCodec.Decode(bytes)).Message);
        byte[] fewer = OpenIntervalCodec.Encode(Mixed());
        BinaryPrimitives.WriteUInt32LittleEndian(fewer.AsSpan(15), 2);
        Assert.Contains("10 bytes after the last interval", Assert.Throws<FormatException>(() => OpenIntervalCodec.Decode(fewer)).Message);
    }
}
