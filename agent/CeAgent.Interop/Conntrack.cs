using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>libceagent's conntrack reader (native/include/ceagent.h): the event subscription, table dumps and
/// counters. Every native function returns -1 and sets errno on failure; these wrappers turn that into a
/// result or an <see cref="InteropException"/>.</summary>
public static unsafe partial class Conntrack
{
    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_ct_open_events", SetLastError = true)]
    private static partial ConntrackHandle OpenEventsNative(int rcvbuf);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_ct_fd")]
    private static partial int FdNative(nint ct);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_ct_read", SetLastError = true)]
    private static partial int ReadNative(ConntrackHandle ct, CtRecord* records, int max);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_ct_drain", SetLastError = true)]
    private static partial int DrainNative(ConntrackHandle ct);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_ct_losses")]
    private static partial ulong LossesNative(ConntrackHandle ct);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_ct_close")]
    internal static partial void Close(nint ct);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_ct_stats", SetLastError = true)]
    private static partial int StatsNative(CtStats* stats);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_ct_parse_stats", SetLastError = true)]
    private static partial int ParseStatsNative(byte* buffer, nuint length, CtStats* stats);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_ct_record_size")]
    private static partial nuint RecordSizeNative();

    /// <summary>Subscribes to NEW and DESTROY events with the given receive buffer.</summary>
    public static ConntrackHandle OpenEvents(int receiveBuffer)
    {
        ConntrackHandle ct = OpenEventsNative(receiveBuffer);
        if (!ct.IsInvalid)
            return ct;
        var e = InteropException.LastError("subscribing to conntrack events (needs CAP_NET_ADMIN and nf_conntrack_netlink)");
        ct.Dispose();
        throw e;
    }

    /// <summary>True when events are queued within the timeout; false on timeout or a signal.</summary>
    public static bool WaitForEvents(ConntrackHandle ct, int timeoutMs)
    {
        using var lease = new Lease(ct);
        return Sys.WaitForInput(FdNative(lease.Handle), timeoutMs, "waiting for conntrack events");
    }

    /// <summary>Reads what is queued, without waiting.</summary>
    /// <returns>The records read: 0 when none is queued, and when the kernel dropped events, which sets
    /// <paramref name="lost"/> (the caller must resynchronise from a dump).</returns>
    public static int Read(ConntrackHandle ct, Span<CtRecord> into, out bool lost)
    {
        lost = false;
        int n;
        fixed (CtRecord* p = into)
            n = ReadNative(ct, p, into.Length);
        if (n >= 0)
            return n;
        int errno = Marshal.GetLastPInvokeError();
        switch (Sys.Classify(errno))
        {
            case ErrnoClass.NoBuffers:
                lost = true;
                return 0;
            case ErrnoClass.Again or ErrnoClass.Interrupted:
                return 0;
            default:
                throw new InteropException("reading conntrack events", errno);
        }
    }

    /// <summary>Discards every queued event; returns how many datagrams went.</summary>
    public static int Drain(ConntrackHandle ct)
    {
        int n = DrainNative(ct);
        return n >= 0 ? n : throw InteropException.LastError("draining conntrack events");
    }

    /// <summary>Overruns the kernel reported since the subscription opened.</summary>
    public static ulong Losses(ConntrackHandle ct) => LossesNative(ct);

    /// <summary>The kernel's counters for this network namespace, summed over CPUs.</summary>
    public static CtStats Stats()
    {
        CtStats s;
        return StatsNative(&s) == 0 ? s : throw InteropException.LastError("reading conntrack statistics");
    }

    /// <summary>Sums the per-CPU statistics messages in a buffer as received from netlink.</summary>
    /// <returns>The number of per-CPU messages found.</returns>
    public static int ParseStats(ReadOnlySpan<byte> messages, out CtStats stats)
    {
        stats = default;
        int n;
        fixed (byte* p = messages)
        fixed (CtStats* s = &stats)
            n = ParseStatsNative(p, (nuint)messages.Length, s);
        return n >= 0 ? n : throw InteropException.LastError("parsing conntrack statistics");
    }

    /// <summary>sizeof(struct ce_ct_record) as the library was compiled: the layout check.</summary>
    public static nuint RecordSize() => RecordSizeNative();
}
