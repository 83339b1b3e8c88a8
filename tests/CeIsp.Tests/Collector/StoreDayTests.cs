using CeIsp.Store;

namespace CeIsp.Tests.Collector;

/// <summary>The day a message is filed under, and the days a reader must name: pure, checked over every case.</summary>
public sealed class StoreDayTests
{
    private const long Day = StoreDay.Seconds;

    [Theory]
    [InlineData(0L, 0)]
    [InlineData(86399L, 0)]
    [InlineData(86400L, 1)]
    [InlineData(-1L, -1)]
    [InlineData(-86400L, -1)]
    [InlineData(-86401L, -2)]
    [InlineData(long.MaxValue, int.MaxValue)]
    [InlineData(long.MinValue, int.MinValue)]
    public void Days_are_utc_days_since_1970_rounded_down(long seconds, int day) => Assert.Equal(day, StoreDay.Of(seconds));

    [Fact]
    public void A_message_is_filed_under_its_first_window_s_day_when_believable_else_the_day_received()
    {
        long received = 20_000 * Day + 500;
        for (int offset = -200; offset <= 5; offset++)
        {
            long start = received + offset * Day;
            int expected = offset is >= -180 and <= 1 ? 20_000 + offset : 20_000;
            Assert.Equal(expected, StoreDay.ForMessage(start, received, 180));
        }
        Assert.Equal(20_000, StoreDay.ForMessage(null, received, 180));
        Assert.Equal(20_000, StoreDay.ForMessage(0, received, 180)); // a CE without a clock: 1970
        Assert.Equal(20_000, StoreDay.ForMessage(long.MaxValue, received, 180));
        Assert.Equal(20_000, StoreDay.ForMessage(long.MinValue, received, int.MaxValue));
    }

    [Fact]
    public void Every_window_starting_in_a_range_lies_in_a_day_the_range_names()
    {
        // A message filed under day d has windows starting from d's first second up to the longest span later.
        var rnd = new Random(16);
        for (int i = 0; i < 20_000; i++)
        {
            long first = 20_000 * Day + rnd.NextInt64(-3 * Day, 3 * Day);
            long start = first + rnd.NextInt64(0, StoreDay.MaxMessageSpanSeconds + 1);
            long from = start - rnd.NextInt64(0, 2 * Day), to = start + rnd.NextInt64(0, 2 * Day);
            var (d0, d1) = StoreDay.Holding(from, to);
            Assert.InRange(StoreDay.Of(first), d0, d1);
        }
        Assert.Equal((StoreDay.Of(-StoreDay.MaxMessageSpanSeconds), 0), StoreDay.Holding(0, 0));
        var (lo, hi) = StoreDay.Holding(long.MinValue, long.MaxValue);
        Assert.True(lo <= hi);
    }

    [Fact]
    public void Day_names_read_back_for_every_day_a_partition_can_have()
    {
        foreach (int day in Enumerable.Range(-3, 10).Concat(Enumerable.Range(20_400, 800)).Concat([2_932_896, 2_932_897, int.MaxValue, int.MinValue]))
            Assert.Equal(day, StoreDay.Parse(StoreDay.Name(day)));
        Assert.Equal("20261203", StoreDay.Name(StoreDay.Of(new DateTimeOffset(2026, 12, 3, 23, 59, 59, TimeSpan.Zero).ToUnixTimeSeconds())));
        Assert.Contains("names no day", Assert.Throws<FormatException>(() => StoreDay.Parse("2026-12-03")).Message);
    }
}
