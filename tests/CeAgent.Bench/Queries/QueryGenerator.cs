using CeAgent.Bench.Workload;

namespace CeAgent.Bench.Queries;

/// <summary>
/// Builds requests from true accesses. A random household at a random time makes its next connection;
/// the provider is that connection's destination. With n observations the provider logged n of that
/// household's connections to it (the same abuser coming back), so the request needs a household with
/// at least n connections to one destination; popular destinations dominate, which is the hard case.
/// Each logged time is the true access time (inside the connection's active part) plus the provider's
/// clock error, uniform within its stated accuracy.
/// </summary>
public sealed class QueryGenerator
{
    private const int MaxTries = 1000;
    private readonly World _world;

    public QueryGenerator(World world) => _world = world;

    public List<Query> Generate(QueryKind kind, int count, ulong stream)
    {
        var rng = new SplitMix(_world.Params.Seed, 0xC0DE0000UL + stream);
        var queries = new List<Query>(count);
        for (int tries = 0; queries.Count < count; tries++)
        {
            if (tries > count * MaxTries)
                throw new InvalidOperationException($"cannot find {count} households with {kind.Observations} accesses to one destination");
            if (TryOne(kind, ref rng) is { } q)
                queries.Add(q);
        }
        return queries;
    }

    private Query? TryOne(QueryKind kind, ref SplitMix rng)
    {
        var p = _world.Params;
        int h = rng.Next(p.Households);
        Flow[] flows = _world.Flows[h];
        int t = p.SpanStartMs + rng.Next(p.SpanEndMs - p.SpanStartMs);
        int first = FlowSearch.FirstStartingAtOrAfter(flows, t);
        if (first >= flows.Length)
            return null;
        DestKey dest = flows[first].Dest;
        var same = new List<int>();
        for (int i = 0; i < flows.Length; i++)
            if (flows[i].Dest == dest && i != first)
                same.Add(i);
        if (same.Count < kind.Observations - 1)
            return null;
        var chosen = new List<int> { first };
        for (int k = 1; k < kind.Observations; k++)
        {
            int j = rng.Next(same.Count);
            chosen.Add(same[j]);
            same[j] = same[^1];
            same.RemoveAt(same.Count - 1);
        }
        var obs = new Observation[chosen.Count];
        for (int k = 0; k < obs.Length; k++)
            obs[k] = Observe(flows[chosen[k]], kind, ref rng);
        return new Query(kind, h, obs);
    }

    private static Observation Observe(Flow f, QueryKind kind, ref SplitMix rng)
    {
        int accuracyMs = kind.AccuracyS * 1000;
        int access = f.StartMs + rng.Next(f.ActiveEndMs - f.StartMs + 1);
        int logged = access + rng.Next(2 * accuracyMs + 1) - accuracyMs;
        return new Observation(logged, accuracyMs, f.Dest, kind.WithPort ? f.PublicPort : null);
    }
}
