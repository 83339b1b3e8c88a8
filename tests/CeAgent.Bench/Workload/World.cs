using CeAgent.Bench.Agent;

namespace CeAgent.Bench.Workload;

/// <summary>
/// The simulated day: every household behind the shared IPv4 (household index = PSID), its port set and
/// its flows sorted by start. Households are simulated in parallel, each from its own seed stream, so the
/// world is the same whatever the core count.
/// </summary>
public sealed class World
{
    public WorkloadParams Params { get; }
    public DestinationCatalog Catalog { get; }
    public IReadOnlyList<int>[] Ports { get; }
    public Flow[][] Flows { get; }
    public bool[] AlwaysOn { get; }
    public int ExhaustedFlows { get; }
    public long TotalFlows => Flows.Sum(f => (long)f.Length);

    public World(WorkloadParams p)
    {
        Params = p;
        Catalog = new DestinationCatalog(p);
        int n = p.Households;
        Ports = new IReadOnlyList<int>[n];
        Flows = new Flow[n][];
        AlwaysOn = ChooseAlwaysOn(p);
        var sim = new HouseholdSimulator(p, Catalog);
        int exhausted = 0;
        Parallel.For(0, n, h =>
        {
            Ports[h] = MapeAdapter.Ports(p.PsidOffset, p.PsidLength, h);
            var flows = sim.Simulate(h, Ports[h], AlwaysOn[h], out int lost);
            flows.Sort((a, b) => a.StartMs.CompareTo(b.StartMs));
            Flows[h] = [.. flows];
            Interlocked.Add(ref exhausted, lost);
        });
        ExhaustedFlows = exhausted;
    }

    private static bool[] ChooseAlwaysOn(WorkloadParams p)
    {
        var chosen = new bool[p.Households];
        var rng = new SplitMix(p.Seed, 0xA1A1UL);
        for (int left = Math.Min(p.AlwaysOnHouseholds, p.Households); left > 0;)
        {
            int h = rng.Next(p.Households);
            if (!chosen[h])
            {
                chosen[h] = true;
                left--;
            }
        }
        return chosen;
    }
}
