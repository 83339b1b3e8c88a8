using System.Globalization;
using System.Text;
using CeAgent.Bench.Report;
using CeAgent.Bench.Workload;
using CeAgent.TestKit;
using CeIsp.Store;

namespace CeIsp.Bench;

/// <summary>Runs the three ISP measurements and writes their tables into docs/benchmarks.md.</summary>
public static class IspBenchCommand
{
    public static int Run(string[] args)
    {
        bool quick = args.Contains("--quick");
        string? report = Arg(args, "--report");
        string work = Arg(args, "--work") ?? Path.Combine(Path.GetTempPath(), "ce-bench-isp");
        int requests = int.Parse(Arg(args, "--requests") ?? (quick ? "50" : "200"), CultureInfo.InvariantCulture);
        int publishers = int.Parse(Arg(args, "--publish-ces") ?? (quick ? "8" : "32"), CultureInfo.InvariantCulture);
        if ((Postgres.Missing ?? (Host.IsRoot ? null : "run as root: the PostgreSQL server runs as the postgres user")) is { } missing)
        {
            Console.Error.WriteLine($"bench-isp: {missing}");
            return 2;
        }
        Directory.CreateDirectory(work);
        var log = Console.Error;
        double speedAtStart = HostSpeed.EcdsaP256VerifyPerSecond();
        var workload = quick ? new WorkloadParams { StartHour = 20, Hours = 2 } : new WorkloadParams();
        log.WriteLine($"bench-isp: simulating {workload.Hours} h of {workload.Households} CEs ...");
        using var day = new DayOfSummaries(workload);
        long bytes = day.Arrivals.Sum(a => (long)a.Signed.Length);
        log.WriteLine($"  {day.Arrivals.Count:N0} signed messages, {day.Windows:N0} windows, {bytes / 1e6:F1} MB");

        var ingest = new List<IngestResult>();
        var latency = new List<LatencyResult>();
        string sqlitePath = Path.Combine(work, "day.db");
        SqliteFiles.Delete(sqlitePath);
        // The first pass through a fresh process is reported apart: a collector runs for months.
        ingest.Add(IngestBench.ColdPass("SQLite (WAL, synchronous=NORMAL), first pass", Path.Combine(work, "day-first-pass.db"), day));
        log.WriteLine($"  SQLite first pass: {ingest[^1].MessagesPerCoreSecond:N0} per core-second; {ingest[^1].GcLine}");
        using (SummaryStore sqlite = SummaryStore.Sqlite(sqlitePath))
        {
            ingest.Add(IngestBench.Run("SQLite (WAL, synchronous=NORMAL)", sqlite, day, day.Arrivals, () => 0));
            log.WriteLine($"  SQLite: {ingest[^1].MessagesPerSecond:N0} messages/s, {ingest[^1].MessagesPerCoreSecond:N0} per core-second; {ingest[^1].GcLine}");
            latency.Add(ResolverBench.Run("SQLite", sqlite, day, requests, 5));
            log.WriteLine($"  SQLite resolver: p50 {latency[^1].P50Ms:F1} ms, p99 {latency[^1].P99Ms:F1} ms");
        }
        using var pg = new Postgres(durable: true);
        if (!args.Contains("--new-only"))
            ingest.AddRange(OldWay(work, day, pg, log));
        using (SummaryStore store = SummaryStore.Postgres(pg.NewDatabase()))
        {
            ingest.Add(IngestBench.Run("PostgreSQL 15 (fsync on)", store, day, day.Arrivals, () => CpuClock.OfPostgres(pg.Dir)));
            log.WriteLine($"  PostgreSQL: {ingest[^1].MessagesPerSecond:N0} messages/s, {ingest[^1].MessagesPerCoreSecond:N0} per core-second");
            if (args.Contains("--ingest-only"))
            {
                IngestProfileResult prof = IngestProfile.Run(day);
                log.WriteLine($"  one thread, us a message: parse {prof.ParseUs:F1}, verify {prof.VerifyUs:F1}, decode {prof.DecodeUs:F1}, hash {prof.HashUs:F1}");
                foreach (IngestResult r in ingest)
                    log.WriteLine($"  {r.Store} batch {r.Batch}: CPU {r.CollectorCpu:F2} + {r.ServerCpu:F2} s, verify only {r.VerifyOnlyCpu:F2} s, {r.MessagesPerCoreSecond:N0} per core-second; {r.GcLine}");
                return 0;
            }
            latency.Add(ResolverBench.Run("PostgreSQL", store, day, requests, 5));
            log.WriteLine($"  PostgreSQL resolver: p50 {latency[^1].P50Ms:F1} ms, p99 {latency[^1].P99Ms:F1} ms");
        }
        var retention = new List<Retention90Result>();
        if (!args.Contains("--no-retention90"))
        {
            log.WriteLine("  90 days of 4,096 CEs (cached under the work folder):");
            retention.Add(Retention90Bench.Sqlite(work, workload, requests, log));
            retention.Add(Retention90Bench.Postgres(work, workload, requests, log));
        }
        var households = Enumerable.Range(0, publishers).Select(i => i * workload.Households / publishers).ToList();
        var scaling = new List<ScalingResult>();
        foreach (var (n, pinned) in args.Contains("--no-scaling") ? [] : new[] { (1, false), (2, false), (1, true), (2, true) })
        {
            log.WriteLine($"  shared subscription, {n} collector(s){(pinned ? ", pinned" : "")}:");
            scaling.Add(SharedSubscriptionBench.Run(n, pinned, pg, day, households, log));
            log.WriteLine($"    {scaling[^1].MessagesPerSecond:N0} messages/s ({scaling[^1].Split})");
        }

        var speed = (speedAtStart, HostSpeed.EcdsaP256VerifyPerSecond());
        BenchSummary.Write(Path.Combine(work, "summary.json"), quick, ingest, latency, retention, speed);
        string md = Render(day, bytes, ingest, latency, scaling, quick, speed) + Retention90Report.Render(retention, BenchSummary.Load());
        Console.Out.Write(md);
        if (report is not null)
            MarkdownReport.WriteInto(report, md, "bench-isp");
        return 0;
    }

    /// <summary>A message a transaction, nothing overlapped: the collector before group commit, for comparison in the same run.</summary>
    private static IEnumerable<IngestResult> OldWay(string work, DayOfSummaries day, Postgres pg, TextWriter log)
    {
        string path = Path.Combine(work, "day-one-by-one.db");
        SqliteFiles.Delete(path);
        using (SummaryStore sqlite = SummaryStore.Sqlite(path))
            yield return IngestBench.Run("SQLite, a message a transaction", sqlite, day, day.Arrivals, () => 0, batch: 1);
        using SummaryStore store = SummaryStore.Postgres(pg.NewDatabase());
        IngestResult r = IngestBench.Run("PostgreSQL, a message a transaction", store, day, day.Arrivals, () => CpuClock.OfPostgres(pg.Dir), batch: 1);
        log.WriteLine($"  a message a transaction: PostgreSQL {r.MessagesPerCoreSecond:N0} per core-second");
        yield return r;
    }

    private static string Render(DayOfSummaries day, long bytes, List<IngestResult> ingest, List<LatencyResult> latency, List<ScalingResult> scaling, bool quick, (double Start, double End) speed)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var p = day.World.Params;
        sb.AppendLine(inv, $"Run: {(quick ? "quick (20:00-22:00)" : "full day")}, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores ({Cpu()}), .NET {Environment.Version}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end (a shared machine: compare CPU-seconds, not wall time); {HostSpeed.Describe(speed.Start, speed.End)}.");
        sb.AppendLine(inv, $"The day: {p.Households} CEs of the attribution benchmark's workload (seed {p.Seed}), {day.Arrivals.Count:N0} signed messages ");
        sb.AppendLine(inv, $"of up to {day.Config.Batch} windows of {day.Config.WindowSeconds} s, {day.Windows:N0} windows, {bytes / 1e6:F1} MB.");
        sb.AppendLine();
        Table(sb, $"**Verify and store** (no broker: signature, strict decode, chain check; batches verified on {Environment.ProcessorCount} threads while the previous one is stored, one transaction a batch; batch 1 is the old way; the storing thread's wall time split into waiting for verification and storing):",
            "| store | batch | messages | wall s | messages/s | CPU s collector + server | messages per core-second | windows per core-second | wait for verify s | store s | CPU s of verifying alone | not stored |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|", ingest.Select(r => string.Create(inv, $"| {r.Store} | {r.Batch} | {r.Messages:N0} | {r.WallSeconds:F1} | {r.MessagesPerSecond:N0} | {r.CollectorCpu:F1} + {r.ServerCpu:F1} | {r.MessagesPerCoreSecond:N0} | {r.WindowsPerCoreSecond:N0} | {r.VerifyWaitSeconds:F1} | {r.StoreSeconds:F1} | {r.VerifyOnlyCpu:F1} | {r.NotStored} |")));
        if (scaling.Count > 0) // --no-scaling leaves it out
            Table(sb, string.Create(inv, $"**Shared subscription** (`$share/ce-isp/ce/v1/+/summary` on mosquitto 2.0 with TLS; {scaling[0].Messages:N0} messages of {scaling[0].Messages / Math.Max(1, day.Arrivals.Count / p.Households)} CEs' day; `ce-isp collect` processes into one PostgreSQL, fsync on; first publish to last row):"),
                "| collectors | pinned (taskset) | messages/s | speed-up | stored by each | CPU s collectors | CPU s PostgreSQL | messages per core-second |",
                "|---:|---|---:|---:|---|---:|---:|---:|", scaling.Select(r => string.Create(inv, $"| {r.Collectors} | {(r.Pinned ? "one CPU each" : "no")} | {r.MessagesPerSecond:N0} | {r.MessagesPerSecond / scaling.First(x => x.Pinned == r.Pinned).MessagesPerSecond:F2}× | {r.Split} | {r.CollectorCpu:F1} | {r.ServerCpu:F1} | {r.Messages / (r.CollectorCpu + r.ServerCpu):N0} |")));
        Table(sb, string.Create(inv, $"**Resolver latency** ({latency[0].Requests} requests of {latency[0].ObservationsEach} observations, no source port, provider clock ±1 s, a fresh resolver each, against the whole day):"),
            "| store | p50 ms | p99 ms | max ms | resolver CPU p50 / p99 ms | load | unique | ambiguous | sender missed |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|", latency.Select(r => string.Create(inv, $"| {r.Store} | {r.P50Ms:F1} | {r.P99Ms:F1} | {r.MaxMs:F1} | {r.CpuP50Ms:F1} / {r.CpuP99Ms:F1} | {r.LoadAverage:F0} | {r.Unique} | {r.Ambiguous} | {r.MissedSender} |")));
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, string title, string header, string align, IEnumerable<string> rows)
    {
        sb.AppendLine(title).AppendLine().AppendLine(header).AppendLine(align);
        foreach (string row in rows)
            sb.AppendLine(row);
        sb.AppendLine();
    }

    private static string Cpu() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

    private static string? Arg(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
