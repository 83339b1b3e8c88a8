using CeAgent.Bench.Workload;

namespace CeAgent.Bench.Tests;

/// <summary>One small shared world for the tests: all 256 households of the shared IPv4, but an hour of
/// the evening at a tenth of the real rate, so a run takes well under a second.</summary>
internal static class TinyWorld
{
    public static WorkloadParams Params { get; } = new()
    {
        StartHour = 20,
        Hours = 1,
        MeanFlowsPerDay = 3_000,
        TailDestinations = 20_000,
        Seed = 7,
    };

    private static readonly Lazy<BenchResult> Run = new(() =>
        BenchRun.Execute(Params, 40, Agent.AgentConfigs.Sweep, TextWriter.Null));

    public static BenchResult Result => Run.Value;
}
