using CeAgent.Bench.Evaluation;
using CeAgent.Bench.Workload;

namespace CeAgent.Bench.Baselines;

/// <summary>
/// The flows to the destinations that requests name, indexed for "which sessions to D were alive
/// during [from, to]". Only queried destinations are indexed: that is all a per-session log is ever
/// asked about, and it keeps the index a fraction of the day's flows. Short sessions are sorted by
/// start, so a lookup scans only those that started within <see cref="ShortLimitMs"/> before the
/// interval; the few long ones (always-on, hours of video) are scanned whole.
/// </summary>
public sealed class SessionIndex
{
    private const int ShortLimitMs = 10 * 60_000;
    private readonly Dictionary<DestKey, (Flow[] Short, Flow[] Long)> _byDest = [];

    public SessionIndex(World world, IEnumerable<DestKey> queried)
    {
        var wanted = new HashSet<DestKey>(queried);
        var found = wanted.ToDictionary(k => k, _ => new List<Flow>());
        foreach (Flow[] flows in world.Flows)
            foreach (Flow f in flows)
                if (found.TryGetValue(f.Dest, out var list))
                    list.Add(f);
        foreach (var (key, list) in found)
        {
            var shortOnes = list.Where(f => f.EndMs - f.StartMs <= ShortLimitMs).OrderBy(f => f.StartMs).ToArray();
            var longOnes = list.Where(f => f.EndMs - f.StartMs > ShortLimitMs).ToArray();
            _byDest[key] = (shortOnes, longOnes);
        }
    }

    /// <summary>Households with a session to <paramref name="dest"/> (on <paramref name="port"/> when
    /// given) alive at some time in [fromMs, toMs].</summary>
    public HouseholdSet Alive(DestKey dest, int? port, int fromMs, int toMs)
    {
        var set = new HouseholdSet();
        if (!_byDest.TryGetValue(dest, out var flows))
            throw new InvalidOperationException($"destination {dest} was not indexed");
        for (int i = FlowSearch.FirstStartingAtOrAfter(flows.Short, fromMs - ShortLimitMs); i < flows.Short.Length && flows.Short[i].StartMs <= toMs; i++)
            AddIfAlive(ref set, flows.Short[i], port, fromMs, toMs);
        foreach (Flow f in flows.Long)
            AddIfAlive(ref set, f, port, fromMs, toMs);
        return set;
    }

    private static void AddIfAlive(ref HouseholdSet set, in Flow f, int? port, int fromMs, int toMs)
    {
        if (f.Overlaps(fromMs, toMs) && (port is null || f.PublicPort == port))
            set.Add(f.Household);
    }
}
