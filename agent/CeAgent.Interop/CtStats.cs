using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>struct ce_ct_stats: the kernel's conntrack counters summed over CPUs, 72 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Size = 72)]
public struct CtStats
{
    public ulong Found;
    public ulong Invalid;
    public ulong Insert;
    public ulong InsertFailed;
    public ulong Drop;
    public ulong EarlyDrop;
    public ulong Error;
    public ulong ClashResolve;
    public uint Cpus;
    public uint Reserved;
}
