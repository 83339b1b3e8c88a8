namespace CeAgent.Bench.Agent;

/// <summary>The configurations the benchmark records the day with; the first is the chosen one.</summary>
public static class AgentConfigs
{
    public static IReadOnlyList<IAgentConfig> Sweep { get; } =
    [
        new SummaryConfig(120, 17, 5),
        new SummaryConfig(60, 17, 10),
        new SummaryConfig(120, 17, 1),
        new SummaryConfig(120, 17, 10),
        new SummaryConfig(300, 17, 2),
        new SummaryConfig(120, 14, 5),
        new IdealWindowConfig(60),
        new IdealWindowConfig(10),
    ];
}
