using System.Diagnostics;
using CeAgent.TestKit;
using CeIsp.Store;

namespace CeIsp.Bench;

public sealed record ScalingResult(int Collectors, bool Pinned, int Messages, double WallSeconds, double CollectorCpu, double ServerCpu, string Split)
{
    public double MessagesPerSecond => Messages / WallSeconds;
}

/// <summary>
/// The whole path at the ISP: CEs publish through a real mosquitto (TLS, client certificates) to one
/// MQTT v5 shared subscription served by 1 or 2 `ce-isp collect` processes writing to one PostgreSQL.
/// Wall time runs from the first publish to the last message stored. Pinned, collector i runs on CPU i
/// only (taskset, once it has subscribed), so that one collector has one core and two have two.
/// </summary>
public static class SharedSubscriptionBench
{
    /// <summary>Every thread of the running collector onto one CPU (taskset -a -p).</summary>
    private static BackgroundProc Pin(BackgroundProc p, int? cpu)
    {
        if (cpu is { } c)
            Proc.Run("taskset", "-a", "-p", "-c", c.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)).EnsureSuccess("taskset");
        return p;
    }

    public static ScalingResult Run(int collectors, bool pinned, Postgres pg, DayOfSummaries day, IReadOnlyList<int> households, TextWriter log)
    {
        using var certs = new TestCerts();
        using var broker = new MosquittoBroker(certs);
        string target = pg.NewDatabase();
        string config = IspCollector.WriteConfig(broker, "postgres", target, "collector",
            households.Select(h => (DayOfSummaries.CeId(h), DayOfSummaries.Line(h), day.Keys[h].ExportSubjectPublicKeyInfoPem())));
        foreach (int h in households)
            certs.Client(DayOfSummaries.CeId(h)); // issue certificates before the clock starts
        var procs = Enumerable.Range(1, collectors).Select(i => Pin(IspCollector.Start(config, $"collector-{i}"), pinned ? (i - 1) % Environment.ProcessorCount : null)).ToList();
        try
        {
            var perCe = households.Select(h => day.Arrivals.Where(a => a.Household == h).ToList()).ToList();
            int total = perCe.Sum(l => l.Count);
            double cpu0 = procs.Sum(p => CpuClock.Of(p.Pid)), srv0 = CpuClock.OfPostgres(pg.Dir);
            var sw = Stopwatch.StartNew();
            Parallel.ForEach(perCe, new ParallelOptions { MaxDegreeOfParallelism = 8 },
                list => broker.PublishAll(list[0].CeId, list[0].Topic, list.Select(a => a.Signed)));
            log.WriteLine($"    published {total:N0} messages in {sw.Elapsed.TotalSeconds:F1} s");
            using (SummaryStore store = SummaryStore.Postgres(target))
            {
                long stored = 0;
                var progress = Stopwatch.StartNew();
                while (stored < total)
                {
                    long now = store.Count("messages");
                    if (now > stored)
                        progress.Restart();
                    stored = now;
                    if (progress.Elapsed.TotalSeconds > 30 || procs.Any(p => p.HasExited))
                        throw new InvalidOperationException($"stored {stored} of {total} and no progress for 30 s (did the broker drop messages?): "
                            + string.Join("\n", procs.Select(p => p.Stderr)));
                    Thread.Sleep(20);
                }
            }
            sw.Stop();
            double cpu = procs.Sum(p => CpuClock.Of(p.Pid)) - cpu0, srv = CpuClock.OfPostgres(pg.Dir) - srv0;
            var byEach = procs.Select(IspCollector.Stop).Select(s => s.Stored).ToList();
            return new ScalingResult(collectors, pinned, total, sw.Elapsed.TotalSeconds, cpu, srv, string.Join(" + ", byEach));
        }
        finally
        {
            foreach (BackgroundProc p in procs)
                p.Dispose();
        }
    }
}
