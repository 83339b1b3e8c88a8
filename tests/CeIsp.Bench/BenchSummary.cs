using System.Text.Json;
using System.Text.Json.Nodes;

namespace CeIsp.Bench;

/// <summary>build/bench-isp/summary.json: the figures issue 16 sets targets for, for scripts and the lead's
/// rerun to compare, with the machine and its load (this VM is shared; the figures move with the load).</summary>
public static class BenchSummary
{
    public static void Write(string path, bool quick, List<IngestResult> ingest, List<LatencyResult> latency, List<Retention90Result> retention, (double Start, double End) speed)
    {
        static JsonObject Latency(LatencyResult r) => new()
        {
            ["p50Ms"] = Math.Round(r.P50Ms, 2), ["p99Ms"] = Math.Round(r.P99Ms, 2), ["maxMs"] = Math.Round(r.MaxMs, 2),
            ["cpuP50Ms"] = Math.Round(r.CpuP50Ms, 2), ["cpuP99Ms"] = Math.Round(r.CpuP99Ms, 2), ["loadAverage"] = r.LoadAverage,
            ["requests"] = r.Requests, ["observationsEach"] = r.ObservationsEach, ["senderMissed"] = r.MissedSender,
        };
        JsonObject Store(string name)
        {
            var o = new JsonObject();
            // The collector's own way (the largest batch); batch 1, the old way, for comparison.
            // messagesPerCoreSecond is the warm figure (after a first pass in the process); the first pass apart.
            var rows = ingest.Where(i => i.Store.StartsWith(name, StringComparison.Ordinal) && !i.Cold).OrderByDescending(i => i.Batch).ToList();
            if (rows.Count > 0)
            {
                o["messagesPerCoreSecond"] = Math.Round(rows[0].MessagesPerCoreSecond);
                o["batch"] = rows[0].Batch;
                o["allocatedBytesPerMessage"] = Math.Round(rows[0].AllocatedPerMessage);
            }
            if (ingest.FirstOrDefault(i => i.Store.StartsWith(name, StringComparison.Ordinal) && i.Cold) is { } cold)
                o["messagesPerCoreSecondCold"] = Math.Round(cold.MessagesPerCoreSecond);
            if (rows.Count > 1)
                o["oneMessageATransactionPerCoreSecond"] = Math.Round(rows[^1].MessagesPerCoreSecond);
            return o;
        }
        var resolver = new JsonObject();
        foreach (LatencyResult r in latency)
            resolver[r.Store.StartsWith("SQLite", StringComparison.Ordinal) ? "sqlite" : "postgres"] = Latency(r);
        if (retention.Count > 0)
        {
            // The key the issue names holds the slower engine's p99; each engine's figures follow.
            var r90 = new JsonObject { ["p99Ms"] = Math.Round(retention.Max(r => r.Latency.P99Ms), 2), ["ces"] = StoreHistory.Addresses * StoreHistory.PerAddress, ["days"] = StoreHistory.Days };
            foreach (Retention90Result r in retention)
            {
                JsonObject e = Latency(r.Latency);
                e["windows"] = r.Windows;
                e["messages"] = r.Messages;
                e["storeGigabytes"] = Math.Round(r.GigaBytes, 2);
                if (!double.IsNaN(r.ColdP50Ms))
                {
                    e["coldCliP50Ms"] = Math.Round(r.ColdP50Ms);
                    e["coldCliMaxMs"] = Math.Round(r.ColdMaxMs);
                }
                r90[r.Store == "SQLite" ? "sqlite" : "postgres"] = e;
            }
            resolver["retention90d"] = r90;
        }
        var root = new JsonObject
        {
            ["run"] = quick ? "quick" : "full",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["machine"] = new JsonObject
            {
                ["cores"] = Environment.ProcessorCount, ["loadAverage1m"] = Load(),
                // The host's speed against the reference (HostSpeed): null when openssl was missing.
                ["ecdsaP256VerifyPerSecondStart"] = double.IsNaN(speed.Start) ? null : Math.Round(speed.Start),
                ["ecdsaP256VerifyPerSecondEnd"] = double.IsNaN(speed.End) ? null : Math.Round(speed.End),
            },
            ["collector"] = new JsonObject { ["sqlite"] = Store("SQLite"), ["postgres"] = Store("PostgreSQL") },
            ["resolver"] = resolver,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>The one-minute load average when the summary is written.</summary>
    public static double Load() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
}
