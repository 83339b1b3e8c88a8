using CeAgent.Shared.MapE;

namespace CeAgent.Shared.Tests.MapE;

public class PortSetTests
{
    /// <summary>Every (offset, PSID length) pair with at least one port bit: 136 layouts.</summary>
    public static TheoryData<int, int> Layouts()
    {
        var data = new TheoryData<int, int>();
        for (int a = 0; a <= 15; a++)
            for (int k = 0; a + k <= 16; k++)
                data.Add(a, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Sets_of_all_psids_are_disjoint_and_cover_every_non_excluded_port(int a, int k)
    {
        var owner = new int[65536];
        Array.Fill(owner, -1);
        for (int psid = 0; psid < 1 << k; psid++)
        {
            PortSet set = PortSet.For(a, k, psid);
            for (int i = 0; i < set.Count; i++)
            {
                int port = set.PortAt(i);
                Assert.True(owner[port] == -1, $"port {port} is in PSID {owner[port]} and {psid}");
                owner[port] = psid;
                Assert.Equal(i, set.IndexOf(port));
            }
            Assert.Equal(set.Count, set.Ranges.Sum(r => r.Count));
        }
        int excluded = a == 0 ? 0 : 1 << (16 - a);
        for (int port = 0; port < 65536; port++)
        {
            int expected = port < excluded ? -1 : owner[port];
            Assert.Equal(expected, PortSet.PsidOf(a, k, port));
            Assert.True(port < excluded ? owner[port] == -1 : owner[port] >= 0, $"port {port}");
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Every_port_maps_back_to_its_own_set_in_ascending_order(int a, int k)
    {
        // The bitmaps in summaries depend on port-set order being ascending, so check it for a few PSIDs.
        foreach (int psid in new[] { 0, (1 << k) - 1, (1 << k) / 3 })
        {
            PortSet set = PortSet.For(a, k, psid);
            int previous = -1;
            for (int i = 0; i < set.Count; i++)
            {
                int port = set.PortAt(i);
                Assert.True(port > previous);
                Assert.True(set.Contains(port));
                previous = port;
            }
            var fromRanges = set.Ranges.SelectMany(r => Enumerable.Range(r.First, r.Count));
            Assert.Equal(Enumerable.Range(0, set.Count).Select(set.PortAt), fromRanges);
            for (int i = 1; i < set.Ranges.Count; i++)
                Assert.True(set.Ranges[i].First > set.Ranges[i - 1].Last + 1, "adjacent ranges are merged");
        }
    }

    [Fact]
    public void V6plus_set_is_240_ports_in_15_ranges_of_16()
    {
        PortSet set = PortSet.For(4, 8, 0x12);
        Assert.Equal(240, set.Count);
        Assert.Equal(15, set.Ranges.Count);
        Assert.All(set.Ranges, r => Assert.Equal(16, r.Count));
        Assert.Equal(new PortRange(4096 + 0x120, 4096 + 0x12f), set.Ranges[0]);
        Assert.Equal(new PortRange(61440 + 0x120, 61440 + 0x12f), set.Ranges[^1]);
    }

    [Fact]
    public void Psid_length_zero_is_one_range_above_the_excluded_ports()
    {
        PortSet set = PortSet.For(6, 0, 0);
        Assert.Equal([new PortRange(1024, 65535)], set.Ranges);
        Assert.Equal(64512, set.Count);
        Assert.Equal([new PortRange(0, 65535)], PortSet.For(0, 0, 0).Ranges);
    }

    [Fact]
    public void Single_port_sets()
    {
        PortSet set = PortSet.For(0, 16, 4242);
        Assert.Equal(1, set.Count);
        Assert.Equal([new PortRange(4242, 4242)], set.Ranges);
        PortSet spread = PortSet.For(4, 12, 7);
        Assert.Equal(15, spread.Count);
        Assert.All(spread.Ranges, r => Assert.Equal(1, r.Count));
    }

    [Theory]
    [InlineData(-1, 8, 0, "psid-offset")]
    [InlineData(16, 0, 0, "psid-offset")]
    [InlineData(8, 9, 0, "psid-len")]
    [InlineData(4, 8, 256, "psid")]
    [InlineData(4, 8, -1, "psid")]
    public void Bad_parameters_name_the_field(int a, int k, int psid, string field)
    {
        var e = Assert.Throws<MapeException>(() => PortSet.For(a, k, psid));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Outside_ports_have_no_index()
    {
        PortSet set = PortSet.For(6, 8, 0x34);
        Assert.Equal(-1, set.IndexOf(80));
        Assert.Equal(-1, set.IndexOf(1236));
        Assert.Equal(-1, set.IndexOf(70000));
        Assert.Equal(-1, set.IndexOf(-5));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.PortAt(set.Count));
    }
}
