using CeAgent.Bench.Agent;
using CeAgent.Bench.Workload;

namespace CeAgent.Bench.Tests;

public sealed class BinaryFuseTests
{
    [Theory]
    [InlineData(1, 8)]
    [InlineData(2, 16)]
    [InlineData(70, 16)]
    [InlineData(5000, 8)]
    [InlineData(5000, 16)]
    public void Holds_every_key_and_rejects_others_at_about_two_to_the_minus_bits(int n, int bits)
    {
        var keys = Enumerable.Range(0, n).Select(i => SplitMix.Mix((ulong)i)).ToList();
        var f = BinaryFuse.Build(keys, bits);
        Assert.All(keys, k => Assert.True(f.Contains(k)));
        const int probes = 200_000;
        int fp = Enumerable.Range(0, probes).Count(i => f.Contains(SplitMix.Mix((ulong)(i + 10_000_000))));
        double expected = probes / Math.Pow(2, bits);
        Assert.InRange(fp, 0, expected * 2 + 10);
        if (bits == 8)
            Assert.InRange(fp, expected / 2, expected * 2); // not a filter that rejects everything
    }

    [Fact]
    public void Large_sets_cost_about_1_125_slots_a_key_and_small_ones_more()
    {
        var large = BinaryFuse.Build([.. Enumerable.Range(0, 100_000).Select(i => SplitMix.Mix((ulong)i))], 16);
        Assert.InRange(large.SizeBits / 100_000.0 / 16, 1.10, 1.20);
        var small = BinaryFuse.Build([.. Enumerable.Range(0, 70).Select(i => SplitMix.Mix((ulong)i))], 16);
        Assert.True(small.SizeBits / 70.0 / 16 > 1.4, $"{small.SizeBits / 70.0 / 16:F2} slots a key");
    }
}
