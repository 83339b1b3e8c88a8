using System.Diagnostics;
using CeIsp.Collector;
using CeIsp.Store;

namespace CeIsp.Bench;

/// <summary>What one ingest run measured.</summary>
public sealed record IngestResult(string Store, int Messages, long Windows, double WallSeconds, double CollectorCpu, double ServerCpu, int NotStored)
{
    public double MessagesPerSecond => Messages / WallSeconds;
    /// <summary>Messages per CPU-second of everything involved (collector and database server): per core.</summary>
    public double MessagesPerCoreSecond => Messages / (CollectorCpu + ServerCpu);
    public double WindowsPerCoreSecond => Windows / (CollectorCpu + ServerCpu);
}

/// <summary>
/// The collector's own work without the broker: verify every signature, decode, check the chain, and
/// store message and window index in one transaction per message, as `ce-isp collect` does.
/// </summary>
public static class IngestBench
{
    public static IngestResult Run(string label, SummaryStore store, DayOfSummaries day, IReadOnlyList<Arrival> arrivals, Func<double> serverCpu)
    {
        day.Enroll(store);
        var collector = new CeIsp.Collector.Collector(store, trustOnFirstUse: false);
        double cpu0 = CpuClock.Self, srv0 = serverCpu();
        var sw = Stopwatch.StartNew();
        int notStored = 0;
        foreach (Arrival a in arrivals)
            if (collector.Ingest(a.Topic, a.Signed).Outcome != IngestOutcome.Stored)
                notStored++;
        sw.Stop();
        store.Analyze(); // the steady state a running store reaches by itself (autovacuum), before the resolver runs
        long windows = store.Count("windows");
        return new IngestResult(label, arrivals.Count, windows, sw.Elapsed.TotalSeconds, CpuClock.Self - cpu0, serverCpu() - srv0, notStored);
    }
}
