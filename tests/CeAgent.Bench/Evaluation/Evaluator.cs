using CeAgent.Bench.Queries;

namespace CeAgent.Bench.Evaluation;

public enum Verdict { UniqueCorrect, Ambiguous, None, Wrong }

/// <summary>How one source did on one kind of request.</summary>
public sealed class Tally
{
    private readonly long[] _verdicts = new long[4];
    private long _candidates;
    private long _ambiguousCandidates;
    private long _truthMissed;

    public long Queries => _verdicts.Sum();
    public double Share(Verdict v) => Queries == 0 ? 0 : (double)_verdicts[(int)v] / Queries;
    public long Count(Verdict v) => _verdicts[(int)v];
    /// <summary>Mean candidates over every request (the number compared with the baseline).</summary>
    public double MeanCandidates => Queries == 0 ? 0 : (double)_candidates / Queries;
    /// <summary>Mean candidates over the ambiguous verdicts only.</summary>
    public double MeanAmbiguousCandidates => Count(Verdict.Ambiguous) == 0 ? 0 : (double)_ambiguousCandidates / Count(Verdict.Ambiguous);
    /// <summary>Requests whose true sender was not among the candidates: a false negative, never allowed.</summary>
    public long TruthMissed => _truthMissed;

    public void Add(HouseholdSet candidates, int truth)
    {
        int n = candidates.Count;
        Verdict v = n switch
        {
            0 => Verdict.None,
            1 => candidates.Contains(truth) ? Verdict.UniqueCorrect : Verdict.Wrong,
            _ => Verdict.Ambiguous,
        };
        _verdicts[(int)v]++;
        _candidates += n;
        if (v == Verdict.Ambiguous)
            _ambiguousCandidates += n;
        if (!candidates.Contains(truth))
            _truthMissed++;
    }
}

/// <summary>Runs every request against every source: candidates are intersected over a request's
/// observations, since each observation was made by the same sender.</summary>
public static class Evaluator
{
    /// <returns>candidates[source][request]</returns>
    public static HouseholdSet[][] Run(IReadOnlyList<IAttributionSource> sources, IReadOnlyList<Query> queries)
    {
        var results = sources.Select(_ => new HouseholdSet[queries.Count]).ToArray();
        Parallel.For(0, queries.Count, q =>
        {
            for (int s = 0; s < sources.Count; s++)
                results[s][q] = Resolve(sources[s], queries[q]);
        });
        return results;
    }

    /// <summary>Tallies one source's answers per request kind, over the requests <paramref name="include"/> keeps.</summary>
    public static Dictionary<QueryKind, Tally> Tabulate(IReadOnlyList<Query> queries, HouseholdSet[] candidates, Func<Query, bool>? include = null)
    {
        var tallies = new Dictionary<QueryKind, Tally>();
        for (int q = 0; q < queries.Count; q++)
        {
            if (include is not null && !include(queries[q]))
                continue;
            if (!tallies.TryGetValue(queries[q].Kind, out var t))
                tallies[queries[q].Kind] = t = new Tally();
            t.Add(candidates[q], queries[q].Truth);
        }
        return tallies;
    }

    public static HouseholdSet Resolve(IAttributionSource source, Query query)
    {
        HouseholdSet set = source.Candidates(query.Observations[0]);
        for (int i = 1; i < query.Observations.Length; i++)
            set = source.Candidates(query.Observations[i], set);
        return set;
    }
}
