using CeAgent.Shared.Summary;
using Microsoft.Data.Sqlite;

namespace CeIsp.Tests.Resolver;

/// <summary>The window rule's SQL and its in-memory check agree everywhere: the database's pre-filter
/// can neither drop a window the resolver would search nor keep one it would not.</summary>
public sealed class ListingReachTests
{
    [Fact]
    public void The_sql_and_the_check_agree_on_every_case()
    {
        using var db = new SqliteConnection("Data Source=:memory:");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT {ListingReach.Sql("@start", "@length", "@error")}";
        var names = new[] { "start", "length", "error", "fm", "tm" };
        foreach (string n in names)
            cmd.Parameters.Add(new SqliteParameter("@" + n, 0L));
        const long t = 1_795_000_020_000; // a window boundary, ms
        long[] offsets = [-4_000_000, -601_000, -600_000, -599_999, -120_001, -120_000, -1, 0, 1, 119_999, 120_000, 600_000, 3_600_000];
        int admitted = 0, cases = 0;
        foreach (long length in new long[] { 1, 60, 120, 900, 3600 })
            foreach (long error in new long[] { -1, 0, 1, 999, 60_000, 3_600_000 })
                foreach (long startOffset in offsets)
                    foreach (long accuracy in new long[] { 0, 1000, 300_000 })
                    {
                        long start = (t + startOffset) / 1000;
                        var reach = new ListingReach(t - accuracy, t + accuracy);
                        long[] values = [start, length, error, reach.FromMs, reach.ToMs];
                        for (int i = 0; i < names.Length; i++)
                            cmd.Parameters["@" + names[i]].Value = values[i];
                        bool sql = (long)cmd.ExecuteScalar()! != 0;
                        bool check = reach.Admits(start, length, error);
                        Assert.True(sql == check, $"start {start} length {length} error {error} accuracy {accuracy}: SQL {sql}, check {check}");
                        admitted += check ? 1 : 0;
                        cases++;
                    }
        Assert.InRange(admitted, 1, cases - 1); // both outcomes occur: the agreement is not vacuous
    }

    [Fact]
    public void A_window_may_list_an_interval_until_ten_minutes_after_it_began_and_an_unknown_clock_anything()
    {
        var at = new ListingReach(1_000_000, 1_000_000); // the observation at 1000 s, exactly
        Assert.True(at.Admits(960, 60, 0)); // the window holding the time
        Assert.True(at.Admits(1560, 60, 0)); // ends after the longest interval could: still searched (starts by 1600)
        Assert.False(at.Admits(1601, 60, 0)); // begins after any interval alive at 1000 s was cut
        Assert.True(at.Admits(1601, 60, 2000)); // unless its clock may be that far off
        Assert.False(at.Admits(900, 60, 0)); // ended (959.999 s) before the time
        Assert.True(at.Admits(900, 60, 40_001)); // its bound reaches the time
        Assert.True(at.Admits(0, 60, -1)); // a clock without a bound rules nothing out
        var stored = new WindowSummary(960, 60, new CeAgent.Shared.Time.ClockQuality(CeAgent.Shared.Time.ClockSource.None, false, uint.MaxValue),
            [], 0, 0, 0, AttributionFilter.Empty(10));
        Assert.Equal(-1, ListingReach.ErrorOf(stored.Clock.MaxErrorMs));
        Assert.True(new ListingReach(0, 0).Admits(stored));
        Assert.Equal(WindowMatch.MayList(stored, 5_000_000, 5_000_000), new ListingReach(5_000_000, 5_000_000).Admits(stored));
    }
}
