using CeAgent.Bench.Queries;

namespace CeAgent.Bench.Evaluation;

/// <summary>
/// Whatever answers "which households could have made this access": ce-agent's summaries through the
/// resolver, or a baseline. A request's candidates are the intersection over its observations.
/// </summary>
public interface IAttributionSource
{
    string Name { get; }

    HouseholdSet Candidates(Observation observation);

    /// <summary>The candidates among those still in the running (a source that is costly per household
    /// tests only those).</summary>
    HouseholdSet Candidates(Observation observation, HouseholdSet among)
    {
        HouseholdSet set = Candidates(observation);
        set.IntersectWith(among);
        return set;
    }
}
