using CeAgent.Service;

namespace CeAgent.Tests.Service;

public sealed class MemoryTrimTests
{
    [Fact]
    public void A_small_table_never_trims()
    {
        var t = new MemoryTrim();
        for (int flows = 0; flows < MemoryTrim.MinChange; flows += 100)
            Assert.False(t.Due(flows, flows * 1000L));
    }

    [Fact]
    public void A_flood_trims_once_it_has_grown_then_waits_before_the_next()
    {
        var t = new MemoryTrim();
        Assert.True(t.Due(MemoryTrim.MinChange, 0));
        Assert.False(t.Due(65_000, MemoryTrim.MinIntervalMs - 1)); // grown a lot, but too soon
        Assert.True(t.Due(65_000, MemoryTrim.MinIntervalMs));
        Assert.False(t.Due(65_000, 10 * MemoryTrim.MinIntervalMs)); // no change since
    }

    [Fact]
    public void A_big_table_trims_only_on_a_change_of_a_quarter()
    {
        var t = new MemoryTrim();
        Assert.True(t.Due(100_000, 0));
        Assert.False(t.Due(124_999, MemoryTrim.MinIntervalMs)); // 24,999: more than MinChange, less than a quarter
        Assert.True(t.Due(75_000, 2 * MemoryTrim.MinIntervalMs)); // the flood ended: a quarter gone
    }

    [Fact]
    public void The_collection_is_full_blocking_and_compacting()
    {
        for (int i = 0; i < 16; i++)
            _ = new byte[1 << 20]; // large-object garbage, as a table's growth leaves
        int before = GC.CollectionCount(2);
        MemoryTrim.Collect();
        GCMemoryInfo last = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        Assert.True(GC.CollectionCount(2) > before);
        Assert.True(last.Compacted);
        Assert.Equal(2, last.Generation);
    }
}
