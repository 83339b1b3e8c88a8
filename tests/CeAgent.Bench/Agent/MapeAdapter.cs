using CeAgent.Shared.MapE;

namespace CeAgent.Bench.Agent;

/// <summary>The benchmark's view of MAP-E: the shipping PortSet, so the simulation cannot drift from it.</summary>
public static class MapeAdapter
{
    public static IReadOnlyList<int> Ports(int psidOffset, int psidLength, int psid)
    {
        PortSet set = PortSet.For(psidOffset, psidLength, psid);
        return [.. Enumerable.Range(0, set.Count).Select(set.PortAt)];
    }

    /// <summary>The PSID whose port set holds <paramref name="port"/>, or -1 (ports below the first A).</summary>
    public static int Owner(int psidOffset, int psidLength, int port) => PortSet.PsidOf(psidOffset, psidLength, port);
}
