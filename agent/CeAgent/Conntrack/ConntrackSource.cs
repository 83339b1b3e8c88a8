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

    /// <summary>The current IPv4 table, each flow into <paramref name="each"/> as the kernel's messages are
    /// read. No copy of the table is made: a dump of 65,000 flows into an array took 6.5 MB (88 bytes a
    /// record) for a moment every sweep, more than the tracker's whole table.</summary>
    /// <returns>How many flows the table held.</returns>
    public static unsafe int Dump(long nowNs, Action<FlowEvent> each)
    {
        var state = new DumpState(each, nowNs);
        GCHandle handle = GCHandle.Alloc(state);
        try
        {
            int n = Interop.Conntrack.DumpEach(&OnRecord, (void*)GCHandle.ToIntPtr(handle));
            if (state.Failure is { } failure)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            if (n < 0)
                throw new IOException($"dumping the conntrack table: {Errno.Describe(Marshal.GetLastPInvokeError())}");
            return n;
        }
        finally
        {
            handle.Free();
        }
    }

    private sealed class DumpState(Action<FlowEvent> each, long nowNs)
    {
        public Action<FlowEvent> Each { get; } = each;
        public long NowNs { get; } = nowNs;
        public Exception? Failure { get; set; }
    }

    [UnmanagedCallersOnly]
    private static unsafe int OnRecord(CtRecord* record, void* arg)
    {
        var state = (DumpState)GCHandle.FromIntPtr((nint)arg).Target!;
        try
        {
            state.Each(FlowEvent.From(*record, state.NowNs));
            return 0;
        }
        catch (Exception e)
        {
            // Nothing may unwind through the C library's frames: stop the dump, rethrow on this side.
            state.Failure = e;
            return 1;
        }
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
