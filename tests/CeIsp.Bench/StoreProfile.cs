using CeAgent.Bench.Workload;
using CeAgent.Shared.Summary;
using CeAgent.TestKit;
using CeIsp.Store;

namespace CeIsp.Bench;

/// <summary>
/// `store-profile [--quick] [--work DIR]`: the store's share of the collector alone. The day's messages are
/// decoded once up front (as the verifier hands them over), then stored in batches of 256 into a fresh
/// SQLite file and a fresh PostgreSQL database, twice each (the first run warms up the JIT): CPU a message
/// of the storing thread, and of the PostgreSQL server. Then the resolver's profile on the SQLite day.
/// </summary>
public static class StoreProfile
{
    public static int Cli(string[] args)
    {
        string work = args.SkipWhile(a => a != "--work").Skip(1).FirstOrDefault() ?? Path.Combine(Path.GetTempPath(), "ce-bench-isp");
        Directory.CreateDirectory(work);
        var workload = args.Contains("--quick") ? new WorkloadParams { StartHour = 20, Hours = 2 } : new WorkloadParams();
        using var day = new DayOfSummaries(workload);
        List<StoredMessage> messages = [.. day.Arrivals.Select(a => AsStored(a.Signed))];
        var log = Console.Error;
        log.WriteLine($"store-profile: {messages.Count:N0} messages, load {Load():F1}");
        string path = Path.Combine(work, "store-profile.db");
        for (int run = 0; run < 2; run++)
        {
            SqliteFiles.Delete(path);
            using SummaryStore lite = SummaryStore.Sqlite(path);
            double us = Store(lite, day, messages);
            log.WriteLine($"  SQLite run {run + 1}: {us:F1} us a message (storing thread CPU), messages in the store {lite.Count("messages"):N0}");
            if (run == 1)
                ResolverProfile.Run(lite, day, 20);
        }
        // The whole collector path (IngestBench) twice in this process: the first run pays the JIT's tier-up
        // and cold caches, the second is what a long-running collector sees.
        for (int run = 0; run < 2; run++)
        {
            SqliteFiles.Delete(path);
            using SummaryStore lite = SummaryStore.Sqlite(path);
            IngestResult r = IngestBench.Run("SQLite", lite, day, day.Arrivals, () => 0);
            log.WriteLine($"  collector on SQLite, run {run + 1}: {r.MessagesPerCoreSecond:N0} messages per core-second (CPU {r.CollectorCpu:F2} s, verifying alone {r.VerifyOnlyCpu:F2} s, not stored {r.NotStored:N0}, messages in the store {lite.Count("messages"):N0}); {r.GcLine}");
        }
        // The same steps one at a time on one thread, in the same process and load: what the verifying
        // stage (verifying alone above) costs beyond the sum of its steps is thread-pool and batching overhead.
        IngestProfileResult p = IngestProfile.Run(day);
        log.WriteLine($"  one thread, us a message: parse {p.ParseUs:F1}, verify {p.VerifyUs:F1}, decode {p.DecodeUs:F1}, hash {p.HashUs:F1}; sum {p.ParseUs + p.VerifyUs + p.DecodeUs + p.HashUs:F1}; load {Load():F1}");
        using var pg = new Postgres(durable: true);
        for (int run = 0; run < 2; run++)
        {
            using SummaryStore store = SummaryStore.Postgres(pg.NewDatabase());
            double s0 = CpuClock.OfPostgres(pg.Dir);
            double us = Store(store, day, messages);
            double server = (CpuClock.OfPostgres(pg.Dir) - s0) * 1e6 / messages.Count;
            log.WriteLine($"  PostgreSQL run {run + 1}: {us:F1} us a message in the collector + {server:F1} us in the server");
        }
        log.WriteLine($"  load at the end {Load():F1}");
        return 0;
    }

    private static double Store(SummaryStore store, DayOfSummaries day, List<StoredMessage> messages)
    {
        day.Enroll(store);
        long receivedAt = day.Arrivals[^1].FirstWindow + 3600;
        double c0 = ThreadCpu.NowMs();
        for (int i = 0; i < messages.Count; i += 256)
            store.StoreBatch(messages.GetRange(i, Math.Min(256, messages.Count - i)), receivedAt, 180);
        return (ThreadCpu.NowMs() - c0) * 1000 / messages.Count;
    }

    /// <summary>What the verifier hands the store for a message it accepted.</summary>
    private static StoredMessage AsStored(byte[] signed)
    {
        SummaryMessage m = SummaryCodec.Decode(CoseSign1.Parse(signed).Payload);
        long seq = (long)m.Seq;
        var rows = m.Windows.Select((w, i) => new WindowRow(m.CeId, seq, i, w.StartUnix, (int)w.LengthSeconds, m.Mape.Ipv4, m.Mape.Psid,
            w.Clock.Synchronized, ListingReach.ErrorOf(w.Clock.MaxErrorMs))).ToList();
        return new StoredMessage(m.CeId, seq, m.PrevHash, SummaryChain.Hash(signed), signed, rows.Count > 0 ? rows[0].Start : null,
            rows.Count > 0 ? m.Windows[^1].StartUnix + m.Windows[^1].LengthSeconds : null, rows);
    }

    private static double Load() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
}
