using System.Runtime.InteropServices;
using CeAgent.Interop;

namespace CeAgent.Conntrack;

/// <summary>
/// The kernel side: the event subscription and table dumps through libceagent. Thin on purpose: all
/// decisions are the tracker's. Subscribe first, then dump, so nothing falls between the two; the
/// tracker de-duplicates by conntrack id.
/// </summary>
public sealed class ConntrackSource : IDisposable
{
    public const int DefaultReceiveBuffer = 4 << 20;
    private readonly ConntrackHandle _handle;
    private readonly CtRecord[] _buffer = new CtRecord[256];

    public ConntrackSource(int receiveBuffer = DefaultReceiveBuffer)
    {
        _handle = Interop.Conntrack.OpenEvents(receiveBuffer);
        if (_handle.IsInvalid)
            throw new IOException($"cannot subscribe to conntrack events: {Errno.Describe(Marshal.GetLastPInvokeError())} (needs CAP_NET_ADMIN and nf_conntrack)");
    }

    public ulong KernelLosses => Interop.Conntrack.Losses(_handle);

    /// <summary>Waits up to timeoutMs, then reads what is queued into <paramref name="into"/>.</summary>
    /// <returns>The events read; lost is true when the kernel dropped events (resync needed).</returns>
    public unsafe int Read(List<FlowEvent> into, int timeoutMs, Func<long> nowNs, out bool lost)
    {
        lost = false;
        if (!Poll.Readable(Interop.Conntrack.Fd(_handle), timeoutMs))
            return 0;
        int n;
        fixed (CtRecord* p = _buffer)
            n = Interop.Conntrack.Read(_handle, p, _buffer.Length);
        if (n < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Interop.Conntrack.ENOBUFS)
            {
                lost = true;
                return 0;
            }
            if (errno is Interop.Conntrack.EAGAIN or Interop.Conntrack.EINTR)
                return 0;
            throw new IOException($"reading conntrack events: {Errno.Describe(errno)}");
        }
        long now = nowNs();
        for (int i = 0; i < n; i++)
            into.Add(FlowEvent.From(_buffer[i], now));
        return n;
    }

    /// <summary>After a loss: drops the queued events, which are older than the dump that follows, so the
    /// dump is the truth and the kernel can report the next overrun (it stays silent while congested).</summary>
    public int Discard()
    {
        int n = Interop.Conntrack.Drain(_handle);
        if (n < 0)
            throw new IOException($"draining conntrack events: {Errno.Describe(Marshal.GetLastPInvokeError())}");
        return n;
    }

    /// <summary>The current IPv4 table, converted as it is enumerated (no second copy of the table).</summary>
    /// <param name="buffer">Where the kernel's records go, kept by the caller from one dump to the next: a
    /// steady table takes one kernel dump into the same array every time, instead of a new large array each
    /// sweep that the GC reclaims only at its next full collection. Sized for the table and an eighth more;
    /// dropped when the table shrank to a quarter, so the peak of a flood is not held for ever. The result is
    /// valid until the next dump into the same buffer.</param>
    public static unsafe IEnumerable<FlowEvent> Dump(long nowNs, ref CtRecord[]? buffer)
    {
        buffer ??= GC.AllocateUninitializedArray<CtRecord>(4096);
        while (true)
        {
            int n;
            fixed (CtRecord* p = buffer)
                n = Interop.Conntrack.DumpInto(p, buffer.Length);
            if (n < 0)
                throw new IOException($"dumping the conntrack table: {Errno.Describe(Marshal.GetLastPInvokeError())}");
            if (n <= buffer.Length)
            {
                CtRecord[] records = buffer;
                if (n < buffer.Length / 4 && buffer.Length > 4096)
                    buffer = null;
                return Convert(records, n, nowNs);
            }
            // Uninitialised: the pages past the records the kernel fills are never touched. The kernel
            // counted every record, so the next dump fits.
            buffer = GC.AllocateUninitializedArray<CtRecord>(n / 8 * 9 + 256);
        }
    }

    private static IEnumerable<FlowEvent> Convert(CtRecord[] records, int n, long nowNs)
    {
        for (int i = 0; i < n; i++)
            yield return FlowEvent.From(records[i], nowNs);
    }

    /// <summary>The kernel's conntrack counters for this namespace (as `conntrack -S`, summed over CPUs).</summary>
    /// <returns>false, with the reason, where the kernel will not tell.</returns>
    public static unsafe bool TryStats(out CtStats stats, out string? error)
    {
        CtStats s;
        bool ok = Interop.Conntrack.Stats(&s) == 0;
        stats = ok ? s : default;
        error = ok ? null : $"reading conntrack statistics: {Errno.Describe(Marshal.GetLastPInvokeError())}";
        return ok;
    }

    /// <summary>Turns on the kernel's per-flow timestamps (the agent's start-up does this; sysctl.d too).</summary>
    public static bool EnableTimestamps()
    {
        try
        {
            File.WriteAllText("/proc/sys/net/netfilter/nf_conntrack_timestamp", "1");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose() => _handle.Dispose();
}

/// <summary>errno numbers as words, for messages a technician can act on.</summary>
public static class Errno
{
    public static string Describe(int errno) => errno switch
    {
        1 => "EPERM (operation not permitted)",
        2 => "ENOENT",
        13 => "EACCES (permission denied)",
        74 => "EBADMSG (malformed netlink message)",
        93 => "EPROTONOSUPPORT (no nf_conntrack_netlink in this kernel?)",
        105 => "ENOBUFS (events lost)",
        _ => $"errno {errno}",
    };
}
