using System.Diagnostics;
using CeAgent.Bench.Agent;
using CeAgent.Bench.Baselines;
using CeAgent.Bench.Evaluation;
using CeAgent.Bench.Queries;
using CeAgent.Bench.Workload;

namespace CeAgent.Bench;

/// <summary>What one run measured. Agents[0] is the chosen configuration, the rest the tuning sweep.</summary>
public sealed record BenchResult(
    World World,
    IReadOnlyList<Query> Queries,
    SessionLogBaseline SessionLog,
    OpeningLogBaseline OpeningLog,
    IReadOnlyList<AgentOutcome> Agents,
    IReadOnlyDictionary<IAttributionSource, HouseholdSet[]> Candidates,
    IReadOnlyList<RecordLoad> Loads,
    IReadOnlyList<FilterMeasurement> Filters,
    double FalseCandidatesPerObservation,
    int PortlessObservations,
    TimeSpan Elapsed)
{
    public Dictionary<QueryKind, Tally> Tallies(IAttributionSource source, Func<Query, bool>? include = null) =>
        Evaluator.Tabulate(Queries, Candidates[source], include);

    /// <summary>Flows a household makes a day, scaled from the simulated span.</summary>
    public double FlowsPerHouseholdDay(int household) => World.Flows[household].Length * World.Params.DayScale;
}

/// <summary>The benchmark itself: simulate, record through the agent, ask every source, tally.</summary>
public static class BenchRun
{
    /// <summary>Time granularities whose record load the report shows.</summary>
    private static readonly int[] LoadWindows = [10, 30, 60, 300];

    public static BenchResult Execute(WorkloadParams workload, int requestsPerKind, IReadOnlyList<IAgentConfig> agents, TextWriter log)
    {
        var sw = Stopwatch.StartNew();
        var world = new World(workload);
        log.WriteLine($"  simulated {world.TotalFlows:N0} flows, {world.ExhaustedFlows} refused for lack of a port ({sw.Elapsed.TotalSeconds:F1} s)");

        var gen = new QueryGenerator(world);
        var queries = new List<Query>();
        ulong stream = 0;
        foreach (var kind in QueryKind.All)
            queries.AddRange(gen.Generate(kind, requestsPerKind, stream++));
        var index = new SessionIndex(world, queries.SelectMany(q => q.Observations).Select(o => o.Dest));
        log.WriteLine($"  generated {queries.Count:N0} requests ({sw.Elapsed.TotalSeconds:F1} s)");

        var outcomes = new List<AgentOutcome>();
        foreach (var agent in agents)
        {
            outcomes.Add(agent.Record(world, index));
            log.WriteLine($"  recorded: {agent.Describe()}, {outcomes[^1].BytesPerHouseholdDay.Average():N0} B a household a day ({sw.Elapsed.TotalSeconds:F1} s)");
        }

        var sessionLog = new SessionLogBaseline(index);
        var openingLog = new OpeningLogBaseline(workload.PsidOffset, workload.PsidLength);
        var sources = new List<IAttributionSource> { sessionLog, openingLog };
        sources.AddRange(outcomes.Select(o => o.Source));
        var candidates = Evaluator.Run(sources, queries);
        log.WriteLine($"  resolved {queries.Count:N0} requests against {sources.Count} sources ({sw.Elapsed.TotalSeconds:F1} s)");
        var foreign = SummaryConfig.UnderForeignKey(outcomes[0].Source);
        var portless = queries.Where(q => q.Observations[0].SourcePort is null).SelectMany(q => q.Observations).ToList();
        double falseCandidates = portless.AsParallel().Sum(o => foreign.Candidates(o).Count) / (double)portless.Count;
        log.WriteLine($"  false candidates a portless observation (foreign key): {falseCandidates:G3} over {portless.Count:N0} ({sw.Elapsed.TotalSeconds:F1} s)");
        var loads = LoadWindows.Select(w => RecordLoad.Measure(world, w)).ToList();
        var filters = FilterChoice.Measure(world, 60);
        log.WriteLine($"  measured filter structures ({sw.Elapsed.TotalSeconds:F1} s)");
        return new BenchResult(world, queries, sessionLog, openingLog, outcomes,
            sources.Select((s, i) => (s, candidates[i])).ToDictionary(p => p.s, p => p.Item2), loads, filters,
            falseCandidates, portless.Count, sw.Elapsed);
    }
}
