using CeAgent.TestKit;
using System.Diagnostics;
using CeIsp.Collector;
using CeIsp.Store;

namespace CeIsp.Bench;

/// <summary>What one ingest run measured; VerifyWait and Store split the storing thread's wall time.</summary>
public sealed record IngestResult(string Store, int Messages, long Windows, double WallSeconds, double CollectorCpu, double ServerCpu, int NotStored,
    int Batch, double VerifyWaitSeconds, double StoreSeconds, double VerifyOnlyCpu)
{
    public double MessagesPerSecond => Messages / WallSeconds;
    /// <summary>Messages per CPU-second of everything involved (collector and database server): per core.</summary>
    public double MessagesPerCoreSecond => Messages / (CollectorCpu + ServerCpu);
    public double WindowsPerCoreSecond => Windows / (CollectorCpu + ServerCpu);
    /// <summary>The first pass of the collector's code in this process (JIT tier-up, cold caches); otherwise
    /// the same day after a warm-up pass, what a collector running for months sees.</summary>
    public bool Cold { get; init; }
    /// <summary>Bytes the process allocated a message during the run, and the collections it caused.</summary>
    public double AllocatedPerMessage { get; init; }
    public int Gen0 { get; init; }
    public int Gen1 { get; init; }
    public int Gen2 { get; init; }
    public double GcPauseSeconds { get; init; }
    public string GcLine => $"{AllocatedPerMessage / 1024:F1} KiB allocated a message, GC {Gen0}/{Gen1}/{Gen2} (gen0/1/2), paused {GcPauseSeconds * 1000:F0} ms";
}

/// <summary>
/// The collector's own work without the broker, as `ce-isp collect` does it: batches of up to
/// <c>batch</c> messages, each verified on the thread pool while the one before it is stored in one
/// transaction. A batch of 1 is the old way (a transaction a message, nothing overlapped).
/// </summary>
public static class IngestBench
{
    /// <summary>The day once through a scratch SQLite file, then the measured run: what the collector costs
    /// once warm, apart from its first pass (<see cref="IngestResult.Cold"/>).</summary>
    public static IngestResult ColdPass(string label, string scratchPath, DayOfSummaries day)
    {
        SqliteFiles.Delete(scratchPath);
        using SummaryStore scratch = SummaryStore.Sqlite(scratchPath);
        return Run(label, scratch, day, day.Arrivals, () => 0) with { Cold = true };
    }

    public static IngestResult Run(string label, SummaryStore store, DayOfSummaries day, IReadOnlyList<Arrival> arrivals, Func<double> serverCpu, int batch = 256)
    {
        day.Enroll(store);
        var collector = new SummaryCollector(store, trustOnFirstUse: false);
        using AllocationSampler? sampler = AllocationSampler.Wanted ? new AllocationSampler() : null;
        sampler?.Start();
        long alloc0 = GC.GetTotalAllocatedBytes();
        int[] gc0 = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        TimeSpan pause0 = GC.GetTotalPauseDuration();
        double cpu0 = CpuClock.Self, srv0 = serverCpu();
        var sw = Stopwatch.StartNew();
        int notStored = 0;
        VerifyingBatch? pending = null;
        for (int i = 0; i <= arrivals.Count; i += batch)
        {
            VerifyingBatch? next = i < arrivals.Count
                ? collector.Verify([.. arrivals.Skip(i).Take(batch).Select(a => new Incoming(a.Topic, a.Signed))])
                : null;
            if (pending is not null)
                notStored += collector.Store(pending).Count(r => r.Outcome != IngestOutcome.Stored);
            pending = next;
        }
        sw.Stop();
        sampler?.Print(Console.Error, label, arrivals.Count);
        double cpu = CpuClock.Self - cpu0, srv = serverCpu() - srv0;
        long allocated = GC.GetTotalAllocatedBytes() - alloc0;
        TimeSpan paused = GC.GetTotalPauseDuration() - pause0;
        int[] gc = [GC.CollectionCount(0) - gc0[0], GC.CollectionCount(1) - gc0[1], GC.CollectionCount(2) - gc0[2]];
        // The profile: the same messages verified again (keys at hand, nothing stored), CPU only.
        double v0 = CpuClock.Self;
        for (int i = 0; i < arrivals.Count; i += 256)
            collector.Verify([.. arrivals.Skip(i).Take(256).Select(a => new Incoming(a.Topic, a.Signed))]).One().Count();
        double verifyOnly = CpuClock.Self - v0;
        store.SettleAfterLoad(); // the steady state a running store reaches by itself (autovacuum), before the resolver runs
        return new IngestResult(label, arrivals.Count, day.Windows * arrivals.Count / day.Arrivals.Count, sw.Elapsed.TotalSeconds, cpu, srv, notStored, batch,
            collector.VerifyWait.TotalSeconds, collector.StoreTime.TotalSeconds, verifyOnly)
        {
            AllocatedPerMessage = (double)allocated / arrivals.Count, Gen0 = gc[0], Gen1 = gc[1], Gen2 = gc[2], GcPauseSeconds = paused.TotalSeconds,
        };
    }
}
