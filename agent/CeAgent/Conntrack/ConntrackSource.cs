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

    public ConntrackSource(int receiveBuffer = DefaultReceiveBuffer) => _handle = Interop.Conntrack.OpenEvents(receiveBuffer);

    public ulong KernelLosses => Interop.Conntrack.Losses(_handle);

    /// <summary>Waits up to timeoutMs, then reads what is queued into <paramref name="into"/>.</summary>
    /// <returns>The events read; lost is true when the kernel dropped events (resync needed).</returns>
    public int Read(List<FlowEvent> into, int timeoutMs, Func<long> nowNs, out bool lost)
    {
        lost = false;
        if (!Interop.Conntrack.WaitForEvents(_handle, timeoutMs))
            return 0;
        int n = Interop.Conntrack.Read(_handle, _buffer, out lost);
        long now = nowNs();
        for (int i = 0; i < n; i++)
            into.Add(FlowEvent.From(_buffer[i], now));
        return n;
    }

    /// <summary>After a loss: drops the queued events, which are older than the dump that follows, so the
    /// dump is the truth and the kernel can report the next overrun (it stays silent while congested).</summary>
    public int Discard() => Interop.Conntrack.Drain(_handle);

    /// <summary>The current IPv4 table, each flow into <paramref name="each"/> as the kernel's messages are
    /// read (no copy of the table is made).</summary>
    /// <returns>How many flows the table held.</returns>
    public static int Dump(long nowNs, Action<FlowEvent> each) =>
        Interop.Conntrack.DumpEach(r => each(FlowEvent.From(r, nowNs)));

    /// <summary>The kernel's conntrack counters for this namespace (as `conntrack -S`, summed over CPUs).</summary>
    /// <returns>false, with the reason, where the kernel will not tell.</returns>
    public static bool TryStats(out CtStats stats, out string? error)
    {
        try
        {
            (stats, error) = (Interop.Conntrack.Stats(), null);
            return true;
        }
        catch (InteropException e)
        {
            (stats, error) = (default, e.Message);
            return false;
        }
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
