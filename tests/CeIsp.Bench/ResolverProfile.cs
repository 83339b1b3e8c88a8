using CeAgent.TestKit;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CeAgent.Bench.Workload;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeIsp.Resolver;
using CeIsp.Store;

namespace CeIsp.Bench;

public static class ResolverProfile
{
    /// <summary>`resolver-profile [--work DIR] [--requests N] [--postgres] [--verdicts FILE]`: the bench's
    /// resolver requests against the day, warm (the first pass discarded), without storing the day again
    /// when the work folder holds it (resolver-day.db, resolver-pg/: a server kept there); on PostgreSQL the
    /// server's CPU is counted. --verdicts writes each verdict as a JSON line, to compare two builds.</summary>
    public static int Cli(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        string work = Arg("--work") ?? Path.Combine(Path.GetTempPath(), "ce-bench-isp");
        int requests = int.Parse(Arg("--requests") ?? "200", CultureInfo.InvariantCulture);
        Directory.CreateDirectory(work);
        using var day = new DayOfSummaries(new WorkloadParams());
        var log = Console.Error;
        List<DisclosureRequest> list = ResolverBench.Requests(day, requests, 5);
        if (args.Contains("--postgres"))
        {
            using var pg = new CeAgent.TestKit.Postgres(durable: true, keepIn: Path.Combine(work, "resolver-pg"));
            string stored = Path.Combine(work, "resolver-pg.complete");
            bool fresh = !File.Exists(stored);
            using SummaryStore store = SummaryStore.Postgres(fresh ? pg.CreateDatabase("resolverday") : pg.Database("resolverday"));
            if (fresh)
            {
                IngestBench.Run("PostgreSQL", store, day, day.Arrivals, () => 0);
                store.SettleAfterLoad();
                File.WriteAllText(stored, "");
            }
            Latency("PostgreSQL", store, list, () => CpuClock.OfPostgres(pg.Dir), Arg("--verdicts"), log);
        }
        else
        {
            string path = Path.Combine(work, "resolver-day.db");
            if (!File.Exists(path + ".complete"))
            {
                SqliteFiles.Delete(path);
                using (SummaryStore fresh = SummaryStore.Sqlite(path))
                    IngestBench.Run("SQLite", fresh, day, day.Arrivals, () => 0);
                File.WriteAllText(path + ".complete", "");
            }
            using SummaryStore store = SummaryStore.Sqlite(path);
            Latency("SQLite", store, list, () => 0, Arg("--verdicts"), log);
            Split(store, list[..Math.Min(50, list.Count)], log);
        }
        return 0;
    }

    private static void Latency(string label, SummaryStore store, List<DisclosureRequest> requests, Func<double> serverCpu, string? verdicts, TextWriter log)
    {
        foreach (bool measured in new[] { false, true })
        {
            var wall = new List<double>();
            var cpu = new List<double>();
            var server = new List<double>();
            var lines = new List<string>();
            foreach (DisclosureRequest r in requests)
            {
                double s0 = serverCpu(); // before the process's clock: reading /proc costs CPU too
                TimeSpan c0 = Environment.CpuUsage.TotalTime;
                var sw = Stopwatch.StartNew();
                Verdict v = new AddressResolver(store, DayOfSummaries.MasterKey).Resolve(r);
                wall.Add(sw.Elapsed.TotalMilliseconds);
                cpu.Add((Environment.CpuUsage.TotalTime - c0).TotalMilliseconds);
                server.Add((serverCpu() - s0) * 1000);
                lines.Add(JsonSerializer.Serialize(v, ResolverJson.Default.Verdict));
            }
            if (!measured)
                continue;
            if (verdicts is not null)
                File.WriteAllLines(verdicts, lines);
            wall.Sort();
            cpu.Sort();
            log.WriteLine($"{label} resolver, {requests.Count} requests, warm: wall p50 {ResolverBench.Percentile(wall, 0.5):F1} / p99 {ResolverBench.Percentile(wall, 0.99):F1} / max {wall[^1]:F1} ms; "
                + $"process CPU p50 {ResolverBench.Percentile(cpu, 0.5):F1} / p99 {ResolverBench.Percentile(cpu, 0.99):F1} ms; server CPU mean {server.Average():F1} ms; load {BenchSummary.Load():F1}");
        }
    }

    public static void Run(SummaryStore store, DayOfSummaries day, int requests)
    {
        // The resolver at parallelism 1 and at one per processor, each twice (the first warms up), then the parts.
        foreach (int parallelism in new[] { 1, 0, 1, 0 })
        {
            var times = new List<double>();
            var cpus = new List<double>();
            foreach (DisclosureRequest r in ResolverBench.Requests(day, requests, 5))
            {
                TimeSpan c0 = Environment.CpuUsage.TotalTime;
                var sw = Stopwatch.StartNew();
                new AddressResolver(store, DayOfSummaries.MasterKey, parallelism).Resolve(r);
                times.Add(sw.Elapsed.TotalMilliseconds);
                cpus.Add((Environment.CpuUsage.TotalTime - c0).TotalMilliseconds);
            }
            times.Sort();
            cpus.Sort();
            Console.Error.WriteLine($"resolver, parallelism {(parallelism == 0 ? Environment.ProcessorCount : parallelism)}: wall p50 {times[times.Count / 2]:F1} ms, max {times[^1]:F1} ms; process CPU p50 {cpus[cpus.Count / 2]:F1} ms, max {cpus[^1]:F1} ms");
        }
        Split(store, ResolverBench.Requests(day, requests, 5), Console.Error);
    }

    /// <summary>Where a request's time goes: the whole resolver on one thread, then the store's reads and the
    /// decoding alone, as if no CE were ruled out.</summary>
    private static void Split(SummaryStore store, List<DisclosureRequest> requests, TextWriter log)
    {
        double near = 0, decode = 0, all = 0, cpu = 0; long rows = 0, blobs = 0, bytes = 0, holders = 0;
        foreach (DisclosureRequest r in requests)
        {
            double c0 = ThreadCpu.NowMs();
            var sw = Stopwatch.StartNew();
            new AddressResolver(store, DayOfSummaries.MasterKey, 1).Resolve(r);
            all += sw.Elapsed.TotalMilliseconds;
            cpu += ThreadCpu.NowMs() - c0;
            // The store's part alone, as the resolver asks (messages of earlier observations not sent again)
            // but for every CE (none ruled out), and the decoding of what it sent.
            var known = new HashSet<(string, long)>();
            foreach (Observation o in r.Observations)
            {
                long t = o.Time.ToUnixTimeMilliseconds();
                double n0 = ThreadCpu.NowMs();
                AddressNear n = store.Near(IpText.ParseIpv4(o.Ip, "ip"), new ListingReach(t - o.TimeAccuracyMs, t + o.TimeAccuracyMs), AddressResolver.SearchMarginSeconds, [], known);
                near += ThreadCpu.NowMs() - n0;
                rows += n.Messages.Count; holders += n.Holders.Count;
                double d0 = ThreadCpu.NowMs();
                foreach (var (ce, seq, signed) in n.Messages)
                    if (signed is not null && known.Add((ce, seq))) { blobs++; bytes += signed.Length; SummaryCodec.Decode(CoseSign1.ReadPayload(signed), readFilters: false); }
                decode += ThreadCpu.NowMs() - d0;
            }
        }
        log.WriteLine($"profile per request: resolve {all / requests.Count:F1} ms (CPU {cpu / requests.Count:F1} ms); per request (5 obs, unrestricted, thread CPU): Near {near / requests.Count:F1} ms, decode {decode / requests.Count:F1} ms; messages listed {rows / requests.Count}, blobs {blobs / requests.Count}, bytes {bytes / requests.Count}, holders {holders / requests.Count}");
    }
}
