namespace CeAgent.Conntrack;

/// <summary>
/// New flows the kernel refused since the last reading, from conntrack's cumulative insert_failed
/// counter. On a CE that is the NAT finding no free port of the set for a destination: the new tuple
/// clashes when the flow is confirmed and the packet is dropped. The agent's own port bitmap cannot show
/// this (a port can serve many destinations at once), the kernel's counter can.
/// </summary>
public sealed class RefusalCounter(ulong baseline)
{
    private ulong _last = baseline;

    /// <summary>The refusals since the previous call. A counter that went down (a CPU taken offline, or a
    /// per-CPU 32-bit counter that wrapped) cannot be told from a reset: it becomes the new baseline and
    /// counts nothing, so a refusal may be missed but none is invented.</summary>
    public uint Take(ulong insertFailed)
    {
        ulong d = insertFailed >= _last ? insertFailed - _last : 0;
        _last = insertFailed;
        return (uint)Math.Min(d, uint.MaxValue);
    }
}
