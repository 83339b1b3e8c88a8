using System.Buffers.Binary;
using CeAgent.Conntrack;
using CeAgent.Interop;

namespace CeAgent.Tests.Conntrack;

public sealed class RefusalCounterTests
{
    [Fact]
    public void Counts_what_the_kernel_counter_gained_since_the_last_reading()
    {
        var c = new RefusalCounter(1000);
        Assert.Equal(0u, c.Take(1000));
        Assert.Equal(37u, c.Take(1037));
        Assert.Equal(23u, c.Take(1060));
    }

    [Fact]
    public void A_counter_that_went_down_is_a_new_baseline_and_invents_nothing()
    {
        var c = new RefusalCounter(uint.MaxValue - 5);
        Assert.Equal(0u, c.Take(3)); // a per-CPU counter wrapped, or a CPU went offline
        Assert.Equal(4u, c.Take(7));
    }

    [Fact]
    public void A_gain_beyond_a_window_field_is_capped_not_wrapped()
    {
        var c = new RefusalCounter(0);
        Assert.Equal(uint.MaxValue, c.Take((ulong)uint.MaxValue + 10));
    }

    [Fact]
    public unsafe void Statistics_convert_with_the_native_layout()
    {
        // One per-CPU message as the kernel sends it: nlmsghdr, nfgenmsg, then big-endian u32 attributes
        // (CTA_STATS_FOUND 2, INSERT 8, INSERT_FAILED 9, DROP 10, EARLY_DROP 11, CLASH_RESOLVE 14).
        (ushort Type, uint Value)[] attrs = [(2, 1000), (8, 5), (9, 60), (10, 61), (11, 3), (14, 2)];
        byte[] msg = new byte[16 + 4 + attrs.Length * 8];
        BinaryPrimitives.WriteUInt32LittleEndian(msg, (uint)msg.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(msg.AsSpan(4), (1 << 8) | 4); // NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_GET_STATS_CPU
        for (int i = 0; i < attrs.Length; i++)
        {
            Span<byte> a = msg.AsSpan(20 + i * 8);
            BinaryPrimitives.WriteUInt16LittleEndian(a, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(a[2..], attrs[i].Type);
            BinaryPrimitives.WriteUInt32BigEndian(a[4..], attrs[i].Value);
        }
        Assert.Equal(72, sizeof(CtStats));
        Assert.Equal(1, Interop.Conntrack.ParseStats(msg, out CtStats s));
        Assert.Equal((1000UL, 5UL, 60UL, 61UL, 3UL, 2UL, 1u), (s.Found, s.Insert, s.InsertFailed, s.Drop, s.EarlyDrop, s.ClashResolve, s.Cpus));
        // Truncated: the parser never guesses at the rest, and the error says what was being read.
        var e = Assert.Throws<InteropException>(() => Interop.Conntrack.ParseStats(msg.AsSpan(0, msg.Length - 3), out _));
        Assert.Equal("parsing conntrack statistics: Bad message (errno 74)", e.Message);
    }
}
