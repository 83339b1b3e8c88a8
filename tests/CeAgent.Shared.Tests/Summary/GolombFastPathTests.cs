using System.Net;
using CeAgent.Shared.Summary;

namespace CeAgent.Shared.Tests.Summary;

/// <summary>The allocation-free filter reader against the old one (<see cref="GolombOracle"/>): the same
/// entries, listings, counts and, on corrupt data, the same named error, never a hang or another exception.</summary>
public class GolombFastPathTests
{
    private static readonly uint[] WindowLengths = [1, 60, 120, 600, 3600, 86400];
    private static readonly int[] Ps = [1, 2, 5, 8, 17, 20, 32];

    private static FlowKey Dest(Random rng) =>
        new(new IPAddress(rng.NextInt64(0, 1L << 32)), rng.Next(0, 65536), rng.Next(3) switch { 0 => Proto.Icmp, 1 => Proto.Tcp, _ => Proto.Udp });

    /// <summary>A filter of n intervals over a few destinations (so some are listed many times), lengths
    /// spread over every Exp-Golomb size up to the limit.</summary>
    private static (AttributionFilter Filter, long Start, uint Length, FlowKey[] Members, DestinationInterval[] Intervals) Random(Random rng, int n, int p, uint length)
    {
        long start = 1_795_000_000 / length * length;
        long maxLength = SummaryLimits.MaxIntervalSeconds(length);
        FlowKey[] members = [.. Enumerable.Range(0, Math.Max(1, n / 3)).Select(_ => Dest(rng))];
        var intervals = Enumerable.Range(0, n).Select(_ =>
        {
            long end = start + rng.NextInt64(0, length + 1);
            long len = Math.Min(maxLength, rng.NextInt64(0, 1L << rng.Next(0, 18)));
            return new DestinationInterval(members[rng.Next(members.Length)], end - len, end);
        }).ToArray();
        return (GolombSet.Build(Samples.FilterKey, start, length, intervals, p), start, length, members, intervals);
    }

    [Fact]
    public void Random_filters_read_exactly_as_the_old_reader_read_them()
    {
        var rng = new Random(16);
        int filters = 0, listings = 0;
        foreach (uint length in WindowLengths)
            foreach (int p in Ps)
                foreach (int n in new[] { 0, 1, 2, 7, 64, 300, 2000 })
                {
                    var (f, start, len, members, _) = Random(rng, n, p, length);
                    Assert.Equal(GolombOracle.Validate(f, len), GolombSet.Validate(f, len));
                    foreach (FlowKey k in members.Concat(Enumerable.Range(0, 20).Select(_ => Dest(rng))))
                    {
                        List<Listed> old = GolombOracle.Lookup(f, Samples.FilterKey, start, len, k);
                        Assert.Equal(old, GolombSet.Lookup(f, Samples.FilterKey, start, len, k));
                        listings += old.Count;
                        for (int t = 0; t < 4; t++)
                        {
                            long fromMs = (start - rng.Next(0, 2000)) * 1000 + rng.Next(0, 1000 * (int)Math.Min(len + 2000, 100_000));
                            long toMs = fromMs + rng.Next(0, 5000), slack = rng.Next(3) == 0 ? long.MaxValue / 4 : rng.Next(0, 3000);
                            bool expected = old.Any(l => l.StartUnix * 1000 - slack <= toMs && l.EndUnix * 1000 + slack >= fromMs);
                            Assert.Equal(expected, GolombSet.ListsAt(f, Samples.FilterKey, start, len, k, fromMs, toMs, slack));
                        }
                    }
                    filters++;
                }
        Assert.Equal(WindowLengths.Length * Ps.Length * 7, filters);
        Assert.True(listings > 10_000, $"only {listings} listings: the probes did not exercise hits");
    }

    /// <summary>What either reader made of the data: a count, the listings of each probe, or the error.</summary>
    private static string Outcome(Func<object> read)
    {
        try
        {
            return read() switch { List<Listed> l => string.Join(",", l), var v => v.ToString()! };
        }
        catch (SummaryFormatException e)
        {
            return "error: " + e.Message;
        }
    }

    [Fact]
    public void Corrupt_stored_filters_fail_as_the_old_reader_failed_and_never_hang()
    {
        var rng = new Random(1616);
        int errors = 0, cases = 0;
        for (int round = 0; round < 3000; round++)
        {
            uint length = WindowLengths[rng.Next(WindowLengths.Length)];
            var (f, start, len, members, _) = Random(rng, rng.Next(1, 200), Ps[rng.Next(Ps.Length)], length);
            byte[] data = [.. f.Data];
            AttributionFilter bad = (rng.Next(6)) switch
            {
                0 => f with { Data = data[..rng.Next(0, data.Length)] },                        // truncated
                1 => f with { Data = [.. data, .. Enumerable.Range(0, rng.Next(1, 12)).Select(_ => (byte)rng.Next(256))] }, // trailing bytes
                2 => f with { Count = f.Count + rng.Next(1, 5) },                                // claims more entries
                3 => f with { Data = [.. Enumerable.Range(0, rng.Next(0, 64)).Select(_ => (byte)rng.Next(256))] }, // garbage
                4 => f with { Data = [.. Enumerable.Repeat((byte)(rng.Next(2) == 0 ? 0x00 : 0xff), rng.Next(1, 64))] },
                _ => Flip(f, data, rng),                                                          // bit flips
            };
            Assert.Equal(Outcome(() => GolombOracle.Validate(bad, len)), Outcome(() => GolombSet.Validate(bad, len)));
            foreach (FlowKey k in members.Take(3).Append(Dest(rng)))
            {
                string old = Outcome(() => GolombOracle.Lookup(bad, Samples.FilterKey, start, len, k));
                Assert.Equal(old, Outcome(() => GolombSet.Lookup(bad, Samples.FilterKey, start, len, k)));
                errors += old.StartsWith("error", StringComparison.Ordinal) ? 1 : 0;
                cases++;
            }
        }
        Assert.True(errors > cases / 4, $"only {errors} of {cases} corrupt lookups failed: the mutations were too mild to test anything");
    }

    private static AttributionFilter Flip(AttributionFilter f, byte[] data, Random rng)
    {
        for (int i = rng.Next(1, 4); i > 0 && data.Length > 0; i--)
            data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8));
        return f with { Data = data };
    }

    [Fact]
    public void A_filter_of_the_largest_values_and_longest_codes_reads_to_its_end()
    {
        // P = 32 and 86,400-s windows: 33-bit values, 17-bit end offsets and the longest length codes, so
        // entries straddle the reader's 64-bit buffer in every alignment.
        var rng = new Random(7);
        var (f, start, len, _, intervals) = Random(rng, 5000, 32, 86400);
        Assert.True(f.Count > 4900);
        Assert.Equal(f.Count, GolombSet.Validate(f, len));
        foreach (DestinationInterval d in intervals)
            Assert.Contains(new Listed(d.StartUnix, d.EndUnix), GolombSet.Lookup(f, Samples.FilterKey, start, len, d.Destination));
    }
}
