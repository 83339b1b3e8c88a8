using CeAgent.Interop;

namespace CeIsp.Store;

/// <summary>
/// The process's C heap, set once as ce-isp starts (and as its bench starts, to measure the same process).
/// glibc gives freed memory at the top of its heap back to the kernel as soon as 128 KiB lie free there, and
/// SQLite's page cache takes it back a moment later, page fault by page fault. On the bench's 2-core VM that
/// churn (the faults, and the TLB shootdown of every shrink) cost the SQLite collector 7-9 s of kernel CPU
/// for one day of 256 CEs in some runs: 2,000-2,800 messages per core-second instead of 6,000-7,500
/// (docs/benchmarks.md, session 19). SQLite's cache is 64 MiB a store; keeping up to 256 MiB ends it.
/// </summary>
public static class NativeHeap
{
    public const long KeptBytes = 256L << 20;

    /// <summary>False when nothing was set: a C library without the setting, or no libceagent beside ce-isp
    /// (a tuning is no reason not to start).</summary>
    public static bool Prepare()
    {
        try
        {
            return Heap.KeepFreedTop(KeptBytes);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
