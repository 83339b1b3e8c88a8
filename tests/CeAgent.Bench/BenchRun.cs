using System.Diagnostics;
using CeAgent.Bench.Agent;
using CeAgent.Bench.Baselines;
using CeAgent.Bench.Evaluation;
using CeAgent.Bench.Queries;
using CeAgent.Bench.Workload;

namespace CeAgent.Bench;

/// <summary>What one run measured.</summary>
public sealed record BenchResult(
    World World,
    IReadOnlyList<Query> Queries,
    IReadOnlyList<IAttributionSource> Sources,
    Dictionary<(string Source, QueryKind Kind), Tally> Tallies);

/// <summary>The benchmark itself: simulate, record through the agent, ask every source, tally.</summary>
public static class BenchRun
{
    public static BenchResult Execute(WorkloadParams workload, int requestsPerKind, TextWriter log)
    {
        var sw = Stopwatch.StartNew();
        var world = new World(workload);
        log.WriteLine($"  simulated {world.TotalFlows:N0} flows ({world.TotalFlows / (double)workload.Households * 24 / workload.Hours:N0} a household a day), {world.ExhaustedFlows} refused for lack of a port, {sw.Elapsed.TotalSeconds:F1} s");

        var gen = new QueryGenerator(world);
        var queries = new List<Query>();
        ulong stream = 0;
        foreach (var kind in QueryKind.All)
            queries.AddRange(gen.Generate(kind, requestsPerKind, stream++));
        log.WriteLine($"  generated {queries.Count:N0} requests, {sw.Elapsed.TotalSeconds:F1} s");

        var index = new SessionIndex(world, queries.SelectMany(q => q.Observations).Select(o => o.Dest));
        var sources = new List<IAttributionSource>
        {
            new SessionLogBaseline(index),
            new OpeningLogBaseline(workload.PsidOffset, workload.PsidLength),
            new IdealWindowSource(index, 60_000),
            new IdealWindowSource(index, 10_000),
        };
        var tallies = Evaluator.Run(sources, queries);
        log.WriteLine($"  resolved, {sw.Elapsed.TotalSeconds:F1} s");
        foreach (var kind in QueryKind.All)
            foreach (var s in sources)
            {
                var t = tallies[(s.Name, kind)];
                log.WriteLine($"  {kind,-22} {s.Name,-20} unique {t.Share(Verdict.UniqueCorrect):P1} amb {t.Share(Verdict.Ambiguous):P1} ({t.MeanAmbiguousCandidates:F1}) none {t.Share(Verdict.None):P1} wrong {t.Count(Verdict.Wrong)} mean {t.MeanCandidates:F2} missed {t.TruthMissed}");
            }
        return new BenchResult(world, queries, sources, tallies);
    }
}
