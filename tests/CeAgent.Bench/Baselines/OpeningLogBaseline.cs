using CeAgent.Bench.Agent;
using CeAgent.Bench.Evaluation;
using CeAgent.Bench.Queries;

namespace CeAgent.Bench.Baselines;

/// <summary>
/// What ISPs keep today: which line held which prefix, hence which PSID, when. A source port names the
/// PSID's household; without one every household sharing the IPv4 remains a candidate.
/// </summary>
public sealed class OpeningLogBaseline(int psidOffset, int psidLength) : IAttributionSource
{
    public string Name => "opening log only";

    public HouseholdSet Candidates(Observation o)
    {
        if (o.SourcePort is not int port)
            return HouseholdSet.All(1 << psidLength);
        var set = new HouseholdSet();
        int owner = MapeAdapter.Owner(psidOffset, psidLength, port);
        if (owner >= 0)
            set.Add(owner);
        return set;
    }
}
