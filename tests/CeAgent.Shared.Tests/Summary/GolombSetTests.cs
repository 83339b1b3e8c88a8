using System.Net;
using Xunit.Abstractions;
using CeAgent.Shared.Summary;

namespace CeAgent.Shared.Tests.Summary;

public class GolombSetTests(ITestOutputHelper output)
{
    private const long W0 = 1_795_000_020; // a window start

    [Fact]
    public void SipHash_matches_the_reference_vector()
    {
        // The SipHash paper, appendix A: key 00..0f, message 00..0e.
        byte[] key = [.. Enumerable.Range(0, 16).Select(i => (byte)i)];
        byte[] msg = [.. Enumerable.Range(0, 15).Select(i => (byte)i)];
        Assert.Equal(0xa129ca6149be45e5UL, SipHash.Hash(key, msg));
        Assert.Equal(0x726fdb47dd0e0e31UL, SipHash.Hash(key, []));
    }

    private static FlowKey Key(int i) =>
        new(new IPAddress(BitConverter.GetBytes(0x0a000000 + i)), 443 + (i % 3), i % 2 == 0 ? Proto.Tcp : Proto.Udp);

    private static List<Listed> Find(AttributionFilter f, FlowKey k, long start = W0, uint length = 60) =>
        GolombSet.Lookup(f, Samples.FilterKey, start, length, k);

    [Fact]
    public void Every_end_offset_and_length_round_trips()
    {
        // Exhaustive over the payload: every end offset 0..60 of a 60-s window with every length 0..600.
        for (int end = 0; end <= 60; end++)
        {
            var all = Enumerable.Range(0, 601).Select(length => new DestinationInterval(Key(end * 1000 + length), W0 + end - length, W0 + end)).ToList();
            AttributionFilter f = GolombSet.Build(Samples.FilterKey, W0, 60, all);
            Assert.Equal(all.Count, GolombSet.Validate(f, 60));
            foreach (DestinationInterval d in all)
                Assert.Contains(new Listed(d.StartUnix, d.EndUnix), Find(f, d.Destination));
        }
    }

    [Fact]
    public void A_destination_listed_twice_keeps_both_intervals_and_repeats_count_once()
    {
        DestinationInterval a = new(Key(1), W0 + 2, W0 + 5), b = new(Key(1), W0 + 30, W0 + 41);
        AttributionFilter f = GolombSet.Build(Samples.FilterKey, W0, 60, [a, b, a]);
        Assert.Equal(2, f.Count);
        Assert.Equal([new Listed(W0 + 2, W0 + 5), new Listed(W0 + 30, W0 + 41)], Find(f, Key(1)).Order());
        Assert.Empty(Find(f, Key(2)));
        AttributionFilter empty = GolombSet.Build(Samples.FilterKey, W0, 60, []);
        Assert.Empty(empty.Data);
        Assert.Empty(Find(empty, Key(1)));
    }

    [Fact]
    public void False_positive_rate_and_size_match_the_theory()
    {
        // 200 sets of 50 intervals, each probed with 2000 absent keys: 400,000 probes at p = 2^-17 expect ~3.
        // Lengths under 64 s and end offsets of a 60-s window make every payload 6 + 7 bits.
        int falsePositives = 0;
        long bits = 0, keys = 0;
        for (int set = 0; set < 200; set++)
        {
            var members = Enumerable.Range(set * 100_000, 50).Select(i => new DestinationInterval(Key(i), W0 + set * 60 + i % 60 - i % 64, W0 + set * 60 + i % 60)).ToArray();
            AttributionFilter f = GolombSet.Build(Samples.FilterKey, W0 + set * 60, 60, members);
            bits += f.Data.Length * 8L;
            keys += f.Count;
            for (int probe = 0; probe < 2000; probe++)
                if (Find(f, Key(50_000_000 + set * 10_000 + probe), W0 + set * 60).Count > 0)
                    falsePositives++;
        }
        double perKey = (double)bits / keys - 13;
        output.WriteLine($"P={GolombSet.DefaultP}: {perKey:F2} bits a key for the hash part (+13 of time) over {keys} keys, {falsePositives} false positives in 400000 probes");
        Assert.InRange(perKey, GolombSet.DefaultP + 1.0, GolombSet.DefaultP + 2.6);
        Assert.InRange(falsePositives, 0, 15); // expectation 3.05; 15 is beyond 6 sigma
    }

    [Fact]
    public void Another_key_or_window_does_not_match()
    {
        var keys = Enumerable.Range(0, 50).Select(i => new DestinationInterval(Key(i), W0, W0 + 10)).ToArray();
        AttributionFilter f = GolombSet.Build(Samples.FilterKey, W0, 60, keys);
        Assert.True(keys.Count(k => GolombSet.Lookup(f, new byte[16], W0, 60, k.Destination).Count > 0) <= 1);
        Assert.True(keys.Count(k => Find(f, k.Destination, W0 + 60).Count > 0) <= 1);
    }

    [Theory]
    [InlineData(-1, 0, "does not end in the window")]  // ends before the window
    [InlineData(61, 10, "does not end in the window")] // ends after it
    [InlineData(30, 601, "longer than 600 s")]
    [InlineData(30, -1, "does not end in the window")] // ends before it starts
    public void Intervals_the_format_cannot_hold_are_refused_when_built(int endOffset, int length, string message)
    {
        var d = new DestinationInterval(Key(1), W0 + endOffset - length, W0 + endOffset);
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => GolombSet.Build(Samples.FilterKey, W0, 60, [d])).Message);
    }

    /// <summary>P = 2, two entries: value 3 (gap "0" "11"), end offset 5, length 10; then the second entry.
    /// Exp-Golomb order 6 of 10 is "1" "001010".</summary>
    private const string First = "0" + "11" + "000101" + "1001010";

    private static AttributionFilter Raw(int count, string bits, int p = 2)
    {
        bits = bits.PadRight((bits.Length + 7) / 8 * 8, '0');
        return new AttributionFilter(p, count, [.. Enumerable.Range(0, bits.Length / 8).Select(i => Convert.ToByte(bits.Substring(i * 8, 8), 2))]);
    }

    [Fact]
    public void Hand_made_canonical_filter_is_read()
    {
        Assert.Equal(2, GolombSet.Validate(Raw(2, First + "0" + "00" + "000101" + "1001011"), 60)); // same value, longer interval: in order
        Assert.Equal(1, GolombSet.Validate(Raw(1, "0" + "11" + "111100" + "0001010011000"), 60)); // ends at 60 s, 600 s long
    }

    [Theory]
    [InlineData(2, First + "0" + "00" + "000100" + "1001010", 60, "out of order")]        // same value, earlier end
    [InlineData(1, "0" + "11" + "111101" + "1001010", 60, "ends 61 s into a window of 60 s")]
    [InlineData(1, "0" + "11" + "000101" + "0001010" + "011001", 60, "interval length 601 over the limit 600")]
    [InlineData(1, First + "1", 60, "bits after its last entry")]                           // padding not zero
    [InlineData(1, First + "000000000", 60, "bits after its last entry")]                   // a whole spare byte
    [InlineData(2, First, 60, "ends after")]                                                // second entry missing
    [InlineData(1, "0" + "11" + "000101" + "0000000000000000000000000000000001", 60, "longer than any valid one")]
    [InlineData(1, "1111" + "00", 60, "gap larger than its range")]
    public void Malformed_filters_are_format_errors_that_say_what_is_wrong(int count, string bits, int window, string message)
    {
        var e = Assert.Throws<SummaryFormatException>(() => GolombSet.Validate(Raw(count, bits), (uint)window));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void P_out_of_range_and_garbage_are_format_errors()
    {
        Assert.Contains("P = 0", Assert.Throws<SummaryFormatException>(() => GolombSet.Validate(Raw(0, "", p: 0), 60)).Message);
        AttributionFilter f = GolombSet.Build(Samples.FilterKey, W0, 60, Enumerable.Range(0, 20).Select(i => new DestinationInterval(Key(i), W0, W0 + 1)));
        Assert.Throws<SummaryFormatException>(() => GolombSet.Validate(f with { Data = f.Data[..^3] }, 60));
        Assert.Throws<SummaryFormatException>(() => GolombSet.Validate(f with { Data = [.. Enumerable.Repeat((byte)0xff, 40)] }, 60));
    }
}
