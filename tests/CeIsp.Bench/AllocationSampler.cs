using System.Diagnostics.Tracing;

namespace CeIsp.Bench;

/// <summary>
/// A bench-only diagnostic: the runtime's GC AllocationTick events (one about every 100 KB allocated, with
/// the type of the object that crossed the mark) summed by type name while it listens. Set
/// CE_BENCH_ALLOC_TYPES=1 to have every ingest run print its top types: how the extra allocation of one
/// run over another was found (docs/benchmarks.md, "Collector").
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, long> _bytes = [];
    private readonly Lock _lock = new();
    private volatile bool _on;

    public static bool Wanted => Environment.GetEnvironmentVariable("CE_BENCH_ALLOC_TYPES") == "1";

    public void Start() => _on = true;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_on || e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null)
            return;
        int t = e.PayloadNames.IndexOf("TypeName"), a = e.PayloadNames.IndexOf("AllocationAmount64");
        if (t < 0 || a < 0)
            return;
        string type = e.Payload![t] as string ?? "?";
        long amount = Convert.ToInt64(e.Payload[a], System.Globalization.CultureInfo.InvariantCulture);
        lock (_lock)
            _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
    }

    /// <summary>The top types, bytes a message, one line each.</summary>
    public void Print(TextWriter log, string label, int messages)
    {
        _on = false;
        lock (_lock)
        {
            long total = _bytes.Values.Sum();
            log.WriteLine($"  allocation sample of {label}: {total / 1024.0 / messages:F1} KiB a message");
            foreach (var (type, bytes) in _bytes.OrderByDescending(kv => kv.Value).Take(25))
                log.WriteLine($"    {bytes / (double)messages,8:F0} B  {type}");
        }
    }
}
