using CeAgent.Shared.Summary;
using CeIsp.Store;

namespace CeIsp.Tests.Store;

/// <summary>The window groups the store indexes instead of single windows (pure): every window in exactly
/// one group, and a group admitted by the listing reach whenever one of its windows is.</summary>
public sealed class WindowGroupsTests
{
    private static WindowRow W(int i, long start, int length = 120, long error = 50, bool sync = true, uint ip = 0xC0000212, int psid = 3) =>
        new("ce", 7, i, start, length, ip, psid, sync, error);

    [Fact]
    public void A_usual_message_of_five_two_minute_windows_is_one_row()
    {
        WindowGroup g = Assert.Single(WindowGroups.Of([.. Enumerable.Range(0, 5).Select(i => W(i, 1000 + i * 120L))]));
        Assert.Equal(new WindowGroup(0, 1000, 120, 600, 0xC0000212, 3, true, 50), g);
    }

    [Fact]
    public void Starts_further_apart_than_the_group_allows_start_a_new_group()
    {
        // Ten-minute windows: starts 0, 600 | 1200, 1800 | 2400 (900 s at most after a group's start).
        var groups = WindowGroups.Of([.. Enumerable.Range(0, 5).Select(i => W(i, i * 600L, 600))]);
        Assert.Equal([(0, 0L, 1200L), (2, 1200L, 1200L), (4, 2400L, 600L)], groups.Select(g => (g.Index, g.Start, g.Span)));
    }

    [Fact]
    public void An_unknown_clock_bound_makes_the_group_unknown_and_one_unsynchronised_window_makes_it_unsynchronised()
    {
        WindowGroup g = Assert.Single(WindowGroups.Of([W(0, 0, error: 10), W(1, 120, error: -1, sync: false), W(2, 240, error: 900)]));
        Assert.Equal((-1L, false), (g.ClockErrorMs, g.ClockSynchronized));
        Assert.Equal(900, Assert.Single(WindowGroups.Of([W(0, 0, error: 10), W(1, 120, error: 900)])).ClockErrorMs);
    }

    [Fact]
    public void A_window_out_of_order_or_on_another_address_or_psid_is_not_folded_into_the_group_before_it()
    {
        Assert.Equal(2, WindowGroups.Of([W(0, 1000), W(1, 880)]).Count);
        Assert.Equal(2, WindowGroups.Of([W(0, 1000), W(1, 1120, ip: 1)]).Count);
        Assert.Equal(2, WindowGroups.Of([W(0, 1000), W(1, 1120, psid: 4)]).Count);
        Assert.Empty(WindowGroups.Of([]));
    }

    /// <summary>Every list of up to four windows from a small alphabet of starts, lengths and bounds, against
    /// reaches around them: each window lies in one group, starting no earlier than it and at most
    /// <see cref="WindowGroups.Seconds"/> before it, and the reach admits the group of every window it admits
    /// (the store's search may return more, never less).</summary>
    [Fact]
    public void Groups_cover_their_windows_and_admit_whatever_a_window_of_theirs_admits()
    {
        long[] starts = [0, 60, 120, 840, 900, 1800, 5000];
        int[] lengths = [60, 120, 600, 3600];
        long[] errors = [-1, 0, 50, 3000, 4_000_000];
        var shapes = (from s in starts from l in lengths from e in errors select (s, l, e)).ToArray();
        var reaches = (from f in new long[] { -7_200_000, -1000, 0, 500_000, 1_200_000, 2_000_000, 6_000_000, 9_000_000 }
                       from d in new long[] { 0, 999, 60_000 }
                       select new ListingReach(f, f + d)).ToArray();
        var rng = new Random(16);
        int lists = 0;
        for (int n = 1; n <= 4; n++)
            for (int k = 0; k < 3000; k++, lists++)
            {
                // Sorted by start (as a valid message is) in most lists; some left in draw order.
                var drawn = Enumerable.Range(0, n).Select(_ => shapes[rng.Next(shapes.Length)]).ToList();
                if (k % 4 != 0)
                    drawn.Sort((a, b) => a.s.CompareTo(b.s));
                List<WindowRow> ws = [.. drawn.Select((x, i) => W(i, x.s, x.l, x.e, x.e >= 0))];
                List<WindowGroup> groups = WindowGroups.Of(ws);
                Assert.Equal(0, groups[0].Index);
                for (int gi = 0; gi < groups.Count; gi++)
                {
                    WindowGroup g = groups[gi];
                    int end = gi + 1 < groups.Count ? groups[gi + 1].Index : ws.Count;
                    Assert.True(end > g.Index);
                    foreach (WindowRow w in ws.Skip(g.Index).Take(end - g.Index))
                    {
                        Assert.InRange(w.Start - g.Start, 0, WindowGroups.Seconds);
                        Assert.True(g.Start + g.Span >= w.Start + w.Length);
                        Assert.True(g.ClockErrorMs < 0 || (w.ClockErrorMs >= 0 && w.ClockErrorMs <= g.ClockErrorMs));
                        foreach (ListingReach r in reaches)
                            if (r.Admits(w.Start, w.Length, w.ClockErrorMs))
                                Assert.True(r.Admits(g.Start, g.Span, g.ClockErrorMs), $"{r} admits window {w} but not its group {g}");
                    }
                }
            }
        Assert.Equal(12_000, lists);
    }

    /// <summary>Every tight group shape (span, bound) at every start around reaches with odd millisecond
    /// edges: whenever the reach admits it, its start is inside <see cref="WindowGroups.TightStarts"/>; and
    /// the range is not wider than it needs to be by more than a few seconds each side.</summary>
    [Fact]
    public void A_tight_group_the_reach_admits_starts_inside_the_tight_range()
    {
        ListingReach[] reaches = [new(1_000_000, 1_000_000), new(1_000_001, 1_002_999), new(-5_500, 4_321), new(86_399_999, 86_400_000)];
        long[] spans = [1, 60, 120, 599, 600, 601, 899, 900];
        long[] errors = [0, 1, 999, 1000, 59_999, 60_000];
        long admitted = 0;
        foreach (ListingReach r in reaches)
        {
            var (from, to) = WindowGroups.TightStarts(r);
            long lowest = long.MaxValue, highest = long.MinValue;
            foreach (long span in spans)
                foreach (long e in errors)
                {
                    Assert.True(WindowGroups.IsTight(span, e));
                    for (long start = r.FromMs / 1000 - 3000; start <= r.ToMs / 1000 + 3000; start++)
                        if (r.Admits(start, span, e))
                        {
                            admitted++;
                            Assert.InRange(start, from, to);
                            (lowest, highest) = (Math.Min(lowest, start), Math.Max(highest, start));
                        }
                }
            Assert.InRange(lowest - from, 0, 3);
            Assert.InRange(to - highest, 0, 3);
        }
        Assert.True(admitted > 1000);
        Assert.False(WindowGroups.IsTight(901, 0));
        Assert.False(WindowGroups.IsTight(60, -1));
        Assert.False(WindowGroups.IsTight(60, 60_001));
    }
}
