using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CeAgent.Bench.Workload;
using CeAgent.TestKit;
using CeIsp.Store;

namespace CeIsp.Bench;

public sealed record Retention90Result(string Store, long Windows, long Messages, double GigaBytes, double BuildSeconds, LatencyResult Latency, double ColdP50Ms, double ColdMaxMs);

/// <summary>
/// The resolver against 90 days of 4,096 CEs (<see cref="StoreHistory"/>): the real day signed by the
/// agent's own code and stored by the collector, on top of 89 days of bulk history, cached under the work
/// folder so that reruns only measure. Reports the in-process latency (a fresh resolver a request, as the
/// desk makes one) and, apart from it, `ce-isp resolve` started as a process.
/// </summary>
public static class Retention90Bench
{
    /// <summary>`resolve90 [--quick] [--store sqlite|postgres] [--requests N] [--work DIR]`: one store's 90-day figures.</summary>
    public static int Cli(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        bool quick = args.Contains("--quick");
        var workload = quick ? new WorkloadParams { StartHour = 20, Hours = 2 } : new WorkloadParams();
        string work = Arg("--work") ?? "build/bench-isp";
        int requests = int.Parse(Arg("--requests") ?? "50", CultureInfo.InvariantCulture);
        Directory.CreateDirectory(work);
        if (args.Contains("--profile"))
        {
            using var day = new DayOfSummaries(workload, StoreHistory.ChainStart);
            using SummaryStore s = SummaryStore.Sqlite(Path.Combine(work, $"retention90-{Tag(workload)}.db"));
            ResolverProfile.Run(s, day, requests);
            return 0;
        }
        Retention90Result r = (Arg("--store") ?? "sqlite") == "postgres"
            ? Postgres(work, workload, requests, Console.Error) : Sqlite(work, workload, requests, Console.Error);
        Console.Out.Write(Retention90Report.Render([r], BenchSummary.Load()));
        return 0;
    }

    public static Retention90Result Sqlite(string work, WorkloadParams workload, int requests, TextWriter log)
    {
        string path = Path.Combine(work, $"retention90-{Tag(workload)}-p{SummaryStore.SqlitePageSize / 1024}k.db"); // built anew for another page size
        double build = 0;
        if (!File.Exists(path + ".complete"))
        {
            SqliteFiles.Delete(path);
            build = Build(log, workload, () => SummaryStore.Sqlite(path), "sqlite", path);
            File.WriteAllText(path + ".complete", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        }
        // Measured on a checkpointed file: a write-ahead log as large as the store would slow every read.
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            cmd.ExecuteNonQuery();
        }
        using var day = new DayOfSummaries(workload, StoreHistory.ChainStart);
        using SummaryStore store = SummaryStore.Sqlite(path);
        double gb = new[] { path, path + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length) / 1e9;
        return Measure("SQLite", store, day, requests, gb, build, work, "sqlite", path, log);
    }

    public static Retention90Result Postgres(string work, WorkloadParams workload, int requests, TextWriter log)
    {
        string db = "retention90_" + Tag(workload);
        using var pg = new Postgres(durable: true, keepIn: Path.Combine(work, "pg90"));
        string target = pg.Database(db) + ";Command Timeout=0"; // ANALYZE of 90 days' partitions takes minutes on a loaded machine
        string marker = Path.Combine(work, "pg90", db + ".complete");
        double build = 0;
        if (!File.Exists(marker))
        {
            Proc.Run("runuser", ["-u", "postgres", "--", "dropdb", "--if-exists", "-h", pg.Dir, "-p", pg.Port.ToString(CultureInfo.InvariantCulture), db]);
            pg.CreateDatabase(db);
            build = Build(log, workload, () => SummaryStore.Postgres(target), "postgres", target);
            File.WriteAllText(marker, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        }
        using var day = new DayOfSummaries(workload, StoreHistory.ChainStart);
        using SummaryStore store = SummaryStore.Postgres(target);
        double gb = DirectoryBytes(Path.Combine(pg.Dir, "data")) / 1e9;
        return Measure("PostgreSQL", store, day, requests, gb, build, work, "postgres", target, log);
    }

    /// <summary>The cache's name: the workload and the schema it was built for (an older one is built anew).</summary>
    private static string Tag(WorkloadParams w) => $"{w.StartHour:d2}h{w.Hours:d2}v{SummaryStore.SchemaVersion}";

    /// <summary>History in bulk, then the real day through the collector (which links it to the history).</summary>
    private static double Build(TextWriter log, WorkloadParams workload, Func<SummaryStore> open, string kind, string target)
    {
        var sw = Stopwatch.StartNew();
        log.WriteLine($"  {kind}: writing 90 days of {StoreHistory.Addresses * StoreHistory.PerAddress:N0} CEs ({StoreHistory.WindowRows:N0} window rows of history) ...");
        using (SummaryStore store = open())
            StoreHistory.Write(store, kind, target, log);
        using var day = new DayOfSummaries(workload, StoreHistory.ChainStart);
        using (SummaryStore store = open())
        {
            IngestResult r = IngestBench.Run(kind, store, day, day.Arrivals, () => 0);
            if (r.NotStored > 0)
                throw new InvalidOperationException($"{r.NotStored} of the real day's messages were not stored");
            if (store.ChainEvents(DayOfSummaries.CeId(0)).Count > 0)
                throw new InvalidOperationException("the real day does not continue the history's chain");
        }
        log.WriteLine($"  {kind}: built in {sw.Elapsed.TotalSeconds:F0} s");
        return sw.Elapsed.TotalSeconds;
    }

    private static Retention90Result Measure(string label, SummaryStore store, DayOfSummaries day, int requests, double gb, double build, string work, string kind, string target, TextWriter log)
    {
        long windows = store.Count("windows"), messages = store.Count("chain");
        LatencyResult latency = ResolverBench.Run(label + ", 90 days of 4,096 CEs", store, day, requests, 5);
        log.WriteLine($"  {label} 90 days: {windows:N0} windows, {gb:F1} GB; resolver p50 {latency.P50Ms:F1} ms, p99 {latency.P99Ms:F1} ms");
        var (p50, max) = ColdStart(work, kind, target, day, log);
        return new Retention90Result(label, windows, messages, gb, build, latency, p50, max);
    }

    /// <summary>`ce-isp resolve` as a process, a few times: start, config, store open, answer, audit line.</summary>
    private static (double P50, double Max) ColdStart(string work, string kind, string target, DayOfSummaries day, TextWriter log)
    {
        // `make` runs the bench from the repository; `make build` puts the command there.
        string cli = Path.GetFullPath("build/bin/ce-isp");
        if (!File.Exists(cli))
        {
            log.WriteLine($"  cold start: {cli} not built, not measured");
            return (double.NaN, double.NaN);
        }
        string dir = Path.Combine(work, "cold-" + kind);
        Directory.CreateDirectory(dir);
        string config = Path.Combine(dir, "isp.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["store"] = new Dictionary<string, string> { ["kind"] = kind, ["target"] = target },
            ["masterKey"] = Convert.ToHexStringLower(DayOfSummaries.MasterKey),
            ["auditLog"] = Path.Combine(dir, "audit.jsonl"),
        }));
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var requests = ResolverBench.Requests(day, 5, 5);
        var times = new List<double>();
        for (int i = 0; i < requests.Count; i++)
        {
            string file = Path.Combine(dir, $"request-{i}.json");
            File.WriteAllText(file, JsonSerializer.Serialize(requests[i], CeIsp.Resolver.ResolverJson.Default.DisclosureRequest));
            var sw = Stopwatch.StartNew();
            ProcResult r = Proc.Run(cli, ["resolve", "--request", file, "--json", "--config", config], timeoutMs: 120_000);
            times.Add(sw.Elapsed.TotalMilliseconds);
            if (r.ExitCode != 0)
                throw new InvalidOperationException($"ce-isp resolve failed ({r.ExitCode}): {r.Stderr}");
        }
        times.Sort();
        log.WriteLine($"  cold `ce-isp resolve`: p50 {times[times.Count / 2]:F0} ms, max {times[^1]:F0} ms ({times.Count} runs)");
        return (times[times.Count / 2], times[^1]);
    }

    private static long DirectoryBytes(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
}
