using CeAgent.Bench.Evaluation;
using CeAgent.Bench.Queries;

namespace CeAgent.Bench.Report;

/// <summary>One of issue 9's goals, measured.</summary>
public sealed record GoalCheck(string Goal, string Measured, bool Met);

/// <summary>Issue 9's goals, evaluated for one agent configuration against the per-session log.</summary>
public static class Goals
{
    public const double CandidateSlack = 0.05;
    public const double ThreeObservationUnique = 0.99;
    public const double IpfixShare = 0.10;

    public static IReadOnlyList<GoalCheck> Check(BenchResult r, int agent)
    {
        var outcome = r.Agents[agent];
        var mine = r.Tallies(outcome.Source);
        var logs = r.Tallies(r.SessionLog);
        var checks = new List<GoalCheck>();
        foreach (int acc in new[] { 1, 30 })
        {
            var k = new QueryKind(false, 1, acc);
            double excess = Excess(mine[k], logs[k]);
            checks.Add(new($"portless, 1 obs, ±{acc} s: candidates within +5% of per-session log",
                $"{mine[k].MeanCandidates:F2} vs {logs[k].MeanCandidates:F2} ({excess:+0.0%;-0.0%})", excess <= CandidateSlack));
        }
        long wrong = mine.Values.Sum(t => t.Count(Verdict.Wrong));
        long missed = mine.Values.Sum(t => t.TruthMissed);
        checks.Add(new("0 wrong unique verdicts (and the true sender never missed)", $"{wrong} wrong, {missed} missed", wrong == 0 && missed == 0));
        foreach (int acc in new[] { 1, 30 })
        {
            var k = new QueryKind(false, 3, acc);
            checks.Add(new($"portless, 3 obs, ±{acc} s: at least 99% unique",
                $"{mine[k].Share(Verdict.UniqueCorrect):P1} (per-session log: {logs[k].Share(Verdict.UniqueCorrect):P1})",
                mine[k].Share(Verdict.UniqueCorrect) >= ThreeObservationUnique));
        }
        var withPort = mine.Where(p => p.Key.WithPort).Select(p => p.Value).ToList();
        double portUnique = withPort.Sum(t => t.Count(Verdict.UniqueCorrect)) / (double)withPort.Sum(t => t.Queries);
        checks.Add(new("100% unique with the source port", $"{portUnique:P2}", portUnique == 1.0));
        double share = outcome.BytesPerHouseholdDay.Average() / IpfixBytesPerHouseholdDay(r);
        checks.Add(new("at most 10% of per-session IPFIX bytes", $"{share:P1}", share <= IpfixShare));
        if (agent == 0)
            checks.Add(new("issue 5: under 0.01 false candidates a portless observation (255 households, every window searched)",
                $"{r.FalseCandidatesPerObservation:G3} over {r.PortlessObservations:N0} observations, asked under a foreign filter key",
                r.FalseCandidatesPerObservation < 0.01));
        return checks;
    }

    /// <summary>Relative excess of mean candidates over the baseline's (0.05 = 5% more).</summary>
    public static double Excess(Tally mine, Tally baseline) => mine.MeanCandidates / baseline.MeanCandidates - 1;

    public static double IpfixBytesPerHouseholdDay(BenchResult r) =>
        MeanFlowsPerHouseholdDay(r) * Baselines.SessionLogBaseline.IpfixBytesPerSession;

    public static double MeanFlowsPerHouseholdDay(BenchResult r) =>
        Enumerable.Range(0, r.World.Params.Households).Average(r.FlowsPerHouseholdDay);
}
