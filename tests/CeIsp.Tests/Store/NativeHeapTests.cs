using CeAgent.Interop;
using CeIsp.Store;

namespace CeIsp.Tests.Store;

/// <summary>ce-isp's C heap setting reaches glibc (test_platform checks its effect on the heap itself), and a
/// bad size is refused with a message that names it.</summary>
public sealed class NativeHeapTests
{
    [Fact]
    public void Ce_isp_keeps_freed_heap_on_glibc()
    {
        Assert.True(NativeHeap.Prepare(), "ce_heap_keep did not set glibc's trim threshold");
    }

    [Fact]
    public void A_size_out_of_range_is_refused_by_name()
    {
        var e = Assert.Throws<InteropException>(() => Heap.KeepFreedTop(-1));
        Assert.Contains("keeping -1 bytes", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InteropException>(() => Heap.KeepFreedTop((long)int.MaxValue + 1));
        Assert.Contains("2147483648", e.Message, StringComparison.Ordinal);
    }
}
