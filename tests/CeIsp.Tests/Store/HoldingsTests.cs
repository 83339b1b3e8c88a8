using CeIsp.Store;

namespace CeIsp.Tests.Store;

/// <summary>
/// The hourly holdings answer "who held the address" as the window groups do: for random groups (short and
/// long spans, several a CE an hour) and random ranges at least an hour wide, the CEs whose holdings meet the
/// range are exactly those with a group starting by its end and ending after its start (within the hours
/// searched), and include every CE the old statement on the groups found.
/// </summary>
public sealed class HoldingsTests
{
    private const uint Ip = 0xC0000212;

    [Fact]
    public void Holdings_find_exactly_the_CEs_with_a_group_in_the_range()
    {
        var rng = new Random(20261203);
        int compared = 0, longOnly = 0;
        for (int round = 0; round < 2_000; round++)
        {
            bool longSpans = round % 2 == 1;
            var groups = new List<(int Day, string CeId, long Seq, WindowGroup Group)>();
            for (int ce = 0; ce < 12; ce++)
            {
                long start = 20_000 * 86_400L + rng.Next(0, 6 * 3600);
                for (long seq = 1; seq <= rng.Next(1, 12); seq++)
                {
                    long span = longSpans ? rng.Next(60, 5_000) : rng.Next(60, 900);
                    groups.Add((20_000, $"ce-{ce:d2}", seq, new WindowGroup(0, start, 120, span, Ip, ce % 4, true, 10)));
                    start += rng.Next(0, 3_000);
                }
            }
            List<Holding> holdings = Holdings.Of(groups);
            long from = 20_000 * 86_400L + rng.Next(0, 7 * 3600), to = from + 3_600 + rng.Next(0, 4 * 3600);
            long h0 = Holdings.HourOf(from - WindowGroups.Seconds), h1 = Holdings.HourOf(to);
            var found = holdings.Where(h => h.Hour >= h0 && h.Hour <= h1 && h.FirstStart <= to && h.LastEnd > from).Select(h => (h.CeId, h.Psid)).ToHashSet();
            var truth = groups.Where(g => Holdings.HourOf(g.Group.Start) >= h0 && g.Group.Start <= to && g.Group.Start + g.Group.Span > from)
                .Select(g => (g.CeId, g.Group.Psid)).ToHashSet();
            var old = groups.Where(g => g.Group.Start >= from - WindowGroups.Seconds && g.Group.Start <= to && g.Group.Start + g.Group.Span > from)
                .Select(g => (g.CeId, g.Group.Psid)).ToHashSet();
            Assert.Equal(truth, found);
            Assert.Subset(found, old);
            if (!longSpans)
                Assert.Equal(old, found); // spans within WindowGroups.Seconds: the same CEs as before
            else if (found.Count > old.Count)
                longOnly++;
            compared += found.Count;
        }
        Assert.InRange(compared, 2_000, int.MaxValue); // the ranges met CEs
        Assert.InRange(longOnly, 1, 2_000); // a long window reaching into the range counts now
    }

    [Fact]
    public void A_bucket_keeps_the_earliest_start_the_latest_end_and_the_lowest_sequence()
    {
        WindowGroup G(long start, long span, int psid = 1) => new(0, start, 120, span, Ip, psid, true, 10);
        List<Holding> hs = Holdings.Of([(5, "a", 7, G(7_200, 300)), (5, "a", 3, G(7_500, 2_000)), (5, "a", 9, G(10_799, 60)), (5, "a", 4, G(10_800, 60)), (5, "a", 8, G(7_300, 60, psid: 2))]);
        Assert.Equal(
            [new Holding(5, Ip, 2, "a", 1, 7_200, 10_859, 3), new Holding(5, Ip, 3, "a", 1, 10_800, 10_860, 4), new Holding(5, Ip, 2, "a", 2, 7_300, 7_360, 8)],
            hs.OrderBy(h => h.Psid).ThenBy(h => h.Hour));
        Assert.Equal(-1, Holdings.HourOf(-1));
        Assert.Equal(0, Holdings.HourOf(3_599));
    }
}
