using CeAgent.Shared.Summary;

namespace CeAgent.Shared.Tests.Summary;

/// <summary>A window carried in parts is read whole: listed in any part is listed; ruled out only when every
/// part is here and the CE recorded every interval.</summary>
public class WindowMatchPartsTests
{
    private const long Start = 1_795_000_020;
    private static readonly WindowSummary W = Samples.Message().Windows[0];

    /// <summary>The sample's three intervals, one a part, in a window of three parts.</summary>
    private static WindowSummary[] Parts() =>
    [
        W with { Parts = 3, Filter = Filter(0) },
        W with { Part = 1, Parts = 3, Protocols = [], LostEvents = 0, Resyncs = 0, Filter = Filter(1) },
        W with { Part = 2, Parts = 3, Protocols = [], LostEvents = 0, Resyncs = 0, Filter = Filter(2) },
    ];

    private static AttributionFilter Filter(int i) => GolombSet.Build(Samples.FilterKey, Start, 60, [Samples.Intervals[i]]);

    private static WindowTest Test(IReadOnlyList<WindowSummary> windows, int destination, long atSecond) =>
        WindowMatch.Test(windows, Samples.Message().Mape.Ports, Samples.FilterKey, Samples.Destinations[destination], null, atSecond * 1000, atSecond * 1000);

    [Fact]
    public void Listed_in_any_part_is_listed_and_all_parts_make_a_whole_window()
    {
        WindowSummary[] all = Parts();
        for (int d = 0; d < 3; d++)
        {
            WindowTest t = Test(all, d, Samples.Intervals[d].StartUnix + 1);
            Assert.True(t.Matched, $"destination {d}");
            Assert.Equal([d], t.ListedIn);
            Assert.False(t.Incomplete);
        }
        WindowTest none = Test(all, 0, Start + 55); // destination 0 ended at +30
        Assert.False(none.Matched);
        Assert.False(none.Incomplete);
        Assert.Equal(3, none.Searched); // each part is a filter of its own, with its own false-positive chance
    }

    [Fact]
    public void A_missing_part_or_unrecorded_intervals_rule_nobody_out()
    {
        WindowSummary[] all = Parts();
        foreach (int missing in new[] { 0, 1, 2 })
        {
            WindowSummary[] some = [.. all.Where(w => w.Part != missing)];
            WindowTest t = Test(some, missing, Samples.Intervals[missing].StartUnix + 1);
            Assert.False(t.Matched);
            Assert.True(t.Incomplete, $"part {missing} missing");
            Assert.True(Test(some, (missing + 1) % 3, Samples.Intervals[(missing + 1) % 3].StartUnix + 1).Matched); // the others still answer
        }
        WindowSummary[] flagged = [all[0] with { Unrecorded = 1 }, all[1], all[2]];
        Assert.True(Test(flagged, 0, Start + 55).Incomplete);
        Assert.True(Test([W with { Unrecorded = 7 }], 0, Start + 55).Incomplete);
        Assert.False(Test([W], 0, Start + 55).Incomplete);
    }
}
