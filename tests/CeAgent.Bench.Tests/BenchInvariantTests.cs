using CeAgent.Bench.Evaluation;
using CeAgent.Bench.Queries;
using CeAgent.Bench.Workload;

namespace CeAgent.Bench.Tests;

public class BenchInvariantTests
{
    private static BenchResult R => TinyWorld.Result;

    [Fact]
    public void EveryKindOfRequestIsAsked()
    {
        Assert.Equal(QueryKind.All.Count * 40, R.Queries.Count);
        Assert.All(R.Queries, q => Assert.Equal(q.Kind.Observations, q.Observations.Length));
        Assert.Contains(R.Queries, q => !q.Kind.WithPort && q.Observations[0].SourcePort is null);
    }

    [Fact]
    public void WithSourcePortEveryAgentConfigurationIsUniqueAndCorrect()
    {
        foreach (var agent in R.Agents)
            foreach (var (kind, tally) in R.Tallies(agent.Source).Where(p => p.Key.WithPort))
                Assert.True(tally.Share(Verdict.UniqueCorrect) == 1.0, $"{agent.Config}, {kind}: {tally.Count(Verdict.UniqueCorrect)} of {tally.Queries}");
    }

    [Fact]
    public void NoSourceEverNamesTheWrongHouseholdOrMissesTheSender()
    {
        foreach (var (source, candidates) in R.Candidates)
            for (int q = 0; q < R.Queries.Count; q++)
                Assert.True(candidates[q].Contains(R.Queries[q].Truth), $"{source.Name} missed the sender of request {q} ({R.Queries[q].Kind})");
    }

    [Fact]
    public void AgentCandidatesIncludeThePerSessionLogsCandidates()
    {
        // Summaries are coarser than per-session logs and their filter only adds false positives, so
        // whoever the per-session log names, the agent's record must name too.
        var logs = R.Candidates[R.SessionLog];
        foreach (var agent in R.Agents)
            for (int q = 0; q < R.Queries.Count; q++)
            {
                var both = R.Candidates[agent.Source][q];
                both.IntersectWith(logs[q]);
                Assert.Equal(logs[q].Count, both.Count);
            }
    }

    [Fact]
    public void PortlessRequestsAreNotTriviallyUnique()
    {
        // A bench whose portless requests were all unique would be measuring nothing.
        var opening = R.Tallies(R.OpeningLog);
        Assert.All(opening.Where(p => !p.Key.WithPort), p => Assert.Equal(256, p.Value.MeanCandidates));
        Assert.Contains(R.Tallies(R.SessionLog), p => !p.Key.WithPort && p.Value.Share(Verdict.Ambiguous) > 0);
    }

    [Fact]
    public void NatKeepsEveryFlowInsideItsPortSetWithUniqueTuples()
    {
        for (int h = 0; h < R.World.Params.Households; h++)
        {
            var ports = R.World.Ports[h].ToHashSet();
            var flows = R.World.Flows[h];
            Assert.All(flows, f => Assert.Contains(f.PublicPort, ports));
            foreach (var group in flows.GroupBy(f => (f.PublicPort, f.Dest)))
            {
                var ordered = group.OrderBy(f => f.StartMs).ToArray();
                for (int i = 1; i < ordered.Length; i++)
                    Assert.True(ordered[i].StartMs >= ordered[i - 1].EndMs, $"household {h} reused {group.Key} while bound");
            }
        }
    }

    [Fact]
    public void SameSeedSameWorld()
    {
        var again = new World(TinyWorld.Params);
        Assert.Equal(R.World.TotalFlows, again.TotalFlows);
        Assert.Equal(R.World.Flows[17], again.Flows[17]);
        Assert.Equal(R.World.AlwaysOn, again.AlwaysOn);
    }
}
