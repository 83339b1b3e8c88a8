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
}
