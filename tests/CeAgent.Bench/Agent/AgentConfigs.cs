namespace CeAgent.Bench.Agent;

/// <summary>The configurations the benchmark records the day with; the first is the chosen one.</summary>
public static class AgentConfigs
{
    public static IReadOnlyList<IAgentConfig> Sweep { get; } =
    [
        new IdealWindowConfig(60),
        new IdealWindowConfig(10),
        new IdealWindowConfig(300),
    ];
}
