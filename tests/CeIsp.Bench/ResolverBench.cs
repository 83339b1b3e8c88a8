using System.Diagnostics;
using CeAgent.Bench.Agent;
using CeAgent.Bench.Queries;
using CeIsp.Resolver;
using CeIsp.Store;

namespace CeIsp.Bench;

public sealed record LatencyResult(string Store, int Requests, int ObservationsEach, double P50Ms, double P99Ms, double MaxMs, int Unique, int Ambiguous, int MissedSender);

/// <summary>
/// Disclosure requests as providers send them (5 logged accesses of one sender, no source port, clock
/// within 1 s) against the stored day, each answered by a fresh resolver as `ce-isp resolve` would.
/// </summary>
public static class ResolverBench
{
    public static LatencyResult Run(string label, SummaryStore store, DayOfSummaries day, int requests, int observations)
    {
        var queries = new QueryGenerator(day.World).Generate(new QueryKind(false, observations, 1), requests, 0x15B);
        var times = new List<double>();
        int unique = 0, ambiguous = 0, missed = 0;
        foreach (Query q in queries)
        {
            var request = new DisclosureRequest { Requester = "bench", Observations = [.. q.Observations.Select(ToRequest)] };
            var sw = Stopwatch.StartNew();
            Verdict v = new CeIsp.Resolver.AddressResolver(store, DayOfSummaries.MasterKey).Resolve(request);
            times.Add(sw.Elapsed.TotalMilliseconds);
            if (v.Result == CeIsp.Resolver.VerdictKind.Unique)
                unique++;
            else if (v.Result == CeIsp.Resolver.VerdictKind.Ambiguous)
                ambiguous++;
            if (!v.Candidates.Any(c => c.Line == DayOfSummaries.Line(q.Truth)))
                missed++;
        }
        times.Sort();
        return new LatencyResult(label, queries.Count, observations, Percentile(times, 0.50), Percentile(times, 0.99), times[^1], unique, ambiguous, missed);
    }

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

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
