using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CeAgent.Interop;

/// <summary>struct ce_ct_record from native/include/ceagent.h: 88 bytes, the same on every ABI.</summary>
[StructLayout(LayoutKind.Sequential, Size = 88)]
public unsafe struct CtRecord
{
    public ulong StartNs;
    public ulong StopNs;
    public fixed byte OrigSrc[16];
    public fixed byte OrigDst[16];
    public fixed byte NatSrc[16];
    public uint Id;
    public uint Mark;
    public byte Kind;
    public byte Family;
    public byte L4Proto;
    public byte Flags;
    public ushort Zone;
    public ushort OrigSrcPort;
    public ushort OrigDstPort;
    public ushort NatSrcPort;
    public uint Reserved;

    public const byte KindNew = 1, KindDestroy = 2, KindDump = 3;
    public const byte FlagTimestamp = 1, FlagSnat = 2;
}

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

/// <summary>An open event subscription; closing it is the native library's job.</summary>
public sealed class ConntrackHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle()
    {
        Conntrack.Close(handle);
        return true;
    }
}

/// <summary>libceagent. Linked statically into the NativeAOT agent (DirectPInvoke), loaded as
/// libceagent.so everywhere else. Every function returns -1 and sets errno on failure.</summary>
public static unsafe partial class Conntrack
{
    private const string Lib = "ceagent";

    [LibraryImport(Lib, EntryPoint = "ce_ct_open_events", SetLastError = true)]
    public static partial ConntrackHandle OpenEvents(int rcvbuf);

    [LibraryImport(Lib, EntryPoint = "ce_ct_fd", SetLastError = true)]
    public static partial int Fd(ConntrackHandle ct);

    [LibraryImport(Lib, EntryPoint = "ce_ct_read", SetLastError = true)]
    public static partial int Read(ConntrackHandle ct, CtRecord* records, int max);

    [LibraryImport(Lib, EntryPoint = "ce_ct_drain", SetLastError = true)]
    public static partial int Drain(ConntrackHandle ct);

    [LibraryImport(Lib, EntryPoint = "ce_ct_losses")]
    public static partial ulong Losses(ConntrackHandle ct);

    [LibraryImport(Lib, EntryPoint = "ce_ct_close")]
    internal static partial void Close(nint ct);

    /// <summary>The table, one record at a time into <paramref name="each"/> (non-zero from it stops the dump:
    /// -1, ECANCELED). Nothing the size of the table is allocated on either side.</summary>
    [LibraryImport(Lib, EntryPoint = "ce_ct_dump", SetLastError = true)]
    public static partial int DumpEach(delegate* unmanaged<CtRecord*, void*, int> each, void* arg);

    [LibraryImport(Lib, EntryPoint = "ce_ct_dump_into", SetLastError = true)]
    public static partial int DumpInto(CtRecord* records, int max);

    [LibraryImport(Lib, EntryPoint = "ce_ct_parse", SetLastError = true)]
    public static partial int Parse(byte* buffer, nuint length, CtRecord* records, int max);

    [LibraryImport(Lib, EntryPoint = "ce_ct_stats", SetLastError = true)]
    public static partial int Stats(CtStats* stats);

    [LibraryImport(Lib, EntryPoint = "ce_ct_parse_stats", SetLastError = true)]
    public static partial int ParseStats(byte* buffer, nuint length, CtStats* stats);

    [LibraryImport(Lib, EntryPoint = "ce_ct_record_size")]
    public static partial nuint RecordSize();

    public const int ENOBUFS = 105, EAGAIN = 11, EINTR = 4;
}

/// <summary>poll(2) on one descriptor, so the reader can wait with a timeout and stay cancellable.</summary>
public static partial class Poll
{
    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Native(PollFd* fds, nuint count, int timeoutMs);

    /// <summary>True when the descriptor is readable within the timeout; false on timeout or EINTR.</summary>
    public static unsafe bool Readable(int fd, int timeoutMs)
    {
        var p = new PollFd { Fd = fd, Events = 1 /* POLLIN */ };
        int rc = Native(&p, 1, timeoutMs);
        if (rc < 0 && Marshal.GetLastPInvokeError() != Conntrack.EINTR)
            throw new IOException($"poll: errno {Marshal.GetLastPInvokeError()}");
        return rc > 0;
    }
}
