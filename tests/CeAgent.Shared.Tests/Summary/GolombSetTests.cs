using System.Net;
using Xunit.Abstractions;
using CeAgent.Shared.Summary;

namespace CeAgent.Shared.Tests.Summary;

public class GolombSetTests(ITestOutputHelper output)
{
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

    [Fact]
    public void Every_inserted_key_is_found()
    {
        byte[] k = Samples.FilterKey;
        var keys = Enumerable.Range(0, 500).Select(Key).ToArray();
        AttributionFilter f = GolombSet.Build(k, 1000, keys);
        Assert.Equal(500, f.Count);
        Assert.All(keys, key => Assert.True(GolombSet.Contains(f, k, 1000, key)));
        Assert.Equal(GolombSet.Values(f).Order(), GolombSet.Values(f));
    }

    [Fact]
    public void Duplicates_count_once_and_empty_sets_hold_nothing()
    {
        AttributionFilter f = GolombSet.Build(Samples.FilterKey, 0, [Key(1), Key(1), Key(2)]);
        Assert.Equal(2, f.Count);
        AttributionFilter empty = GolombSet.Build(Samples.FilterKey, 0, []);
        Assert.Empty(empty.Data);
        Assert.False(GolombSet.Contains(empty, Samples.FilterKey, 0, Key(1)));
    }

    [Fact]
    public void False_positive_rate_and_size_match_the_theory()
    {
        // 200 sets of 50 keys, each probed with 2000 absent keys: 400,000 probes at p = 2^-17 expect ~3.
        byte[] k = Samples.FilterKey;
        int falsePositives = 0;
        long bits = 0, keys = 0;
        for (int set = 0; set < 200; set++)
        {
            var members = Enumerable.Range(set * 100_000, 50).Select(Key).ToArray();
            AttributionFilter f = GolombSet.Build(k, set, members);
            bits += f.Data.Length * 8L;
            keys += f.Count;
            for (int probe = 0; probe < 2000; probe++)
                if (GolombSet.Contains(f, k, set, Key(50_000_000 + set * 10_000 + probe)))
                    falsePositives++;
        }
        double perKey = (double)bits / keys;
        output.WriteLine($"P={GolombSet.DefaultP}: {perKey:F2} bits a key over {keys} keys, {falsePositives} false positives in 400000 probes");
        Assert.InRange(perKey, GolombSet.DefaultP + 1.0, GolombSet.DefaultP + 2.6);
        Assert.InRange(falsePositives, 0, 15); // expectation 3.05; 15 is beyond 6 sigma
    }

    [Fact]
    public void Another_key_or_window_does_not_match()
    {
        var keys = Enumerable.Range(0, 50).Select(Key).ToArray();
        AttributionFilter f = GolombSet.Build(Samples.FilterKey, 60, keys);
        byte[] otherKey = new byte[16];
        Assert.True(keys.Count(k => GolombSet.Contains(f, otherKey, 60, k)) <= 1);
        Assert.True(keys.Count(k => GolombSet.Contains(f, Samples.FilterKey, 120, k)) <= 1);
    }

    [Fact]
    public void Truncated_or_garbage_filter_data_is_a_format_error()
    {
        AttributionFilter f = GolombSet.Build(Samples.FilterKey, 0, Enumerable.Range(0, 20).Select(Key));
        Assert.Throws<SummaryFormatException>(() => GolombSet.Values(f with { Data = f.Data[..^3] }).Count());
        Assert.Throws<SummaryFormatException>(() => GolombSet.Values(f with { Data = [.. Enumerable.Repeat((byte)0xff, 40)] }).Count());
    }
}
