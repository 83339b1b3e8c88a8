using CeAgent.Bench.Baselines;
using CeAgent.Bench.Workload;

namespace CeAgent.Bench.Agent;

/// <summary>
/// The seam where the agent's code plugs into the benchmark: record the simulated day with one set of
/// parameters and return the bytes it cost and a source that answers requests from what was recorded.
/// </summary>
public interface IAgentConfig
{
    /// <summary>Parameters as the report prints them.</summary>
    string Describe();

    /// <param name="index">Sessions to the requested destinations, for configurations that need ground truth.</param>
    AgentOutcome Record(World world, SessionIndex index);
}

/// <summary>The ideal windowed record (see <see cref="IdealWindowSource"/>); it sends nothing, so no bytes.</summary>
public sealed record IdealWindowConfig(int WindowSeconds) : IAgentConfig
{
    public string Describe() => $"ideal sets, {WindowSeconds} s windows";

    public AgentOutcome Record(World world, SessionIndex index) =>
        new(Describe(), new IdealWindowSource(index, WindowSeconds * 1000), new double[world.Params.Households]);
}
