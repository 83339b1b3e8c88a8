using CeAgent.Bench.Baselines;
using CeAgent.Bench.Evaluation;
using CeAgent.Bench.Queries;

namespace CeAgent.Bench.Agent;

/// <summary>
/// What per-window summaries could say at best: exact sets (no filter false positives) at the window's
/// time granularity. Comparing it with the real summaries separates the cost of windowing from the
/// cost of the approximate filter.
/// </summary>
public sealed class IdealWindowSource(SessionIndex index, int windowMs) : IAttributionSource
{
    public string Name => $"ideal sets, {windowMs / 1000} s windows";

    public HouseholdSet Candidates(Observation o)
    {
        int from = o.FromMs / windowMs * windowMs;
        int to = (o.ToMs / windowMs + 1) * windowMs - 1;
        return index.Alive(o.Dest, o.SourcePort, from, to);
    }
}
