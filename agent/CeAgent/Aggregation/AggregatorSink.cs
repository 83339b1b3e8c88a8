using CeAgent.Conntrack;

namespace CeAgent.Aggregation;

/// <summary>
/// The tracker's opens and closes into the window aggregator: the one step between the two stages. The
/// tracker speaks the kernel's CLOCK_REALTIME nanoseconds (its events' times); the windows are UTC
/// milliseconds as the clock monitor corrects them (<paramref name="utcMs"/>), so a stepped or
/// unsynchronised clock is handled in one place and not in the pure stages.
/// </summary>
public sealed class AggregatorSink(WindowAggregator windows, Func<long, long> utcMs) : IFlowSink
{
    public void Opened(in TrackedFlow flow, long atNs) => windows.Open(flow.Proto, flow.PublicPort, flow.Destination, utcMs(atNs));

    public void Closed(in TrackedFlow flow, long atNs, bool estimated) => windows.Close(flow.Proto, flow.PublicPort, flow.Destination, utcMs(atNs));

    public void Resynchronising(long atNs)
    {
        long at = utcMs(atNs);
        windows.CountLost(1, at);
        windows.CountResync(at);
    }
}
