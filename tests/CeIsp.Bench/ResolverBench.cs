using System.Diagnostics;
using CeAgent.Bench.Agent;
using CeAgent.Bench.Queries;
using CeIsp.Resolver;
using CeIsp.Store;

namespace CeIsp.Bench;

/// <param name="CpuP50Ms">The bench process's CPU time a request, all threads (the resolver tests CEs in
/// parallel), without the database server's.</param>
public sealed record LatencyResult(string Store, int Requests, int ObservationsEach, double P50Ms, double P99Ms, double MaxMs, int Unique, int Ambiguous, int MissedSender,
    double CpuP50Ms = double.NaN, double CpuP99Ms = double.NaN, double LoadAverage = double.NaN);

/// <summary>
/// Disclosure requests as providers send them (5 logged accesses of one sender, no source port, clock
/// within 1 s) against the stored day, each answered by a fresh resolver as `ce-isp resolve` would, in a
/// process that has answered <see cref="WarmUp"/> others before.
/// </summary>
public static class ResolverBench
{
    /// <summary>Requests answered before the measured ones, of another seed: the in-process figure is a
    /// running resolver's (a desk's), not its process's first requests, which pay the JIT; a process's cold
    /// start is measured apart (`ce-isp resolve` runs, Retention90Bench).</summary>
    public const int WarmUp = 20;

    public static LatencyResult Run(string label, SummaryStore store, DayOfSummaries day, int requests, int observations)
    {
        foreach (var (request, _) in Generate(day, WarmUp, observations, seed: 0x15C))
            new AddressResolver(store, DayOfSummaries.MasterKey).Resolve(request);
        var times = new List<double>();
        var cpu = new List<double>();
        int unique = 0, ambiguous = 0, missed = 0;
        foreach (var (request, truth) in Generate(day, requests, observations))
        {
            TimeSpan cpu0 = Environment.CpuUsage.TotalTime;
            var sw = Stopwatch.StartNew();
            Verdict v = new AddressResolver(store, DayOfSummaries.MasterKey).Resolve(request);
            times.Add(sw.Elapsed.TotalMilliseconds);
            cpu.Add((Environment.CpuUsage.TotalTime - cpu0).TotalMilliseconds);
            if (v.Result == VerdictKind.Unique)
                unique++;
            else if (v.Result == VerdictKind.Ambiguous)
                ambiguous++;
            if (!v.Candidates.Any(c => c.Line == DayOfSummaries.Line(truth)))
                missed++;
        }
        times.Sort();
        cpu.Sort();
        return new LatencyResult(label, times.Count, observations, Percentile(times, 0.50), Percentile(times, 0.99), times[^1], unique, ambiguous, missed,
            Percentile(cpu, 0.50), Percentile(cpu, 0.99), BenchSummary.Load());
    }

    /// <summary>The requests alone (for `ce-isp resolve` run as a process).</summary>
    public static List<DisclosureRequest> Requests(DayOfSummaries day, int requests, int observations) =>
        [.. Generate(day, requests, observations).Select(r => r.Request)];

    private static IEnumerable<(DisclosureRequest Request, int Truth)> Generate(DayOfSummaries day, int requests, int observations, ulong seed = 0x15B) =>
        new QueryGenerator(day.World).Generate(new QueryKind(false, observations, 1), requests, seed)
            .Select(q => (new DisclosureRequest { Requester = "bench", Observations = [.. q.Observations.Select(ToRequest)] }, q.Truth));

    private static CeIsp.Resolver.Observation ToRequest(CeAgent.Bench.Queries.Observation o) => new()
    {
        Ip = "192.0.2.18",
        Time = DateTimeOffset.FromUnixTimeMilliseconds(SummaryConfig.DayStartMs + o.LoggedMs),
        TimeAccuracyMs = o.AccuracyMs,
        SrcPort = o.SourcePort,
        DstIp = new System.Net.IPAddress([(byte)(o.Dest.Ip >> 24), (byte)(o.Dest.Ip >> 16), (byte)(o.Dest.Ip >> 8), (byte)o.Dest.Ip]).ToString(),
        DstPort = o.Dest.Port,
        Proto = o.Dest.Proto == CeAgent.Bench.Workload.DestKey.Tcp ? "tcp" : "udp",
    };

    internal static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
