namespace CeIsp.Resolver;

/// <summary>The verdict from what the observations left (pure): "unique" only when one line fits and no
/// other CE is without evidence, "none" only when holders are known and all are ruled out.</summary>
public static class VerdictRule
{
    /// <param name="holders">How many CEs are known to have held the address at the times asked.</param>
    public static Verdict Decide(List<Candidate> candidates, List<NoEvidence> unknownCes, int holders) =>
        (candidates.Count, unknownCes.Count) switch
        {
            (1, 0) => new Verdict(VerdictKind.Unique, candidates[0].Line, candidates, unknownCes,
                $"one line fits every observation; chance its match is a filter false positive: {candidates[0].FalsePositiveProbability:G3}"),
            (0, 0) when holders == 0 => new Verdict(VerdictKind.Unknown, null, candidates, unknownCes,
                "no CE is known to have held the address at that time (no summaries from it): nobody can be ruled out"),
            (0, 0) => new Verdict(VerdictKind.None, null, candidates, unknownCes,
                $"every CE that held the address ({holders}) has complete records covering the time, and none shows this access"),
            (0, _) => new Verdict(VerdictKind.Unknown, null, candidates, unknownCes,
                $"no line fits, but {unknownCes.Count} CE(s) that held or may hold the address have no complete records: {string.Join("; ", unknownCes.Select(n => $"{n.CeId}: {n.Why}"))}"),
            _ => new Verdict(VerdictKind.Ambiguous, null, candidates, unknownCes,
                $"{candidates.Count} line(s) fit{(unknownCes.Count > 0 ? $", and {unknownCes.Count} CE(s) left no evidence either way" : "")}"),
        };
}
