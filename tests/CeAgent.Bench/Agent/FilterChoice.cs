using CeAgent.Bench.Workload;
using CeAgent.Shared.Summary;

namespace CeAgent.Bench.Agent;

/// <summary>One filter structure measured on the day's real windows.</summary>
public sealed record FilterMeasurement(string Structure, double TargetLog2, long Keys, long Bits, long Probes, long FalsePositives)
{
    public double BitsPerKey => (double)Bits / Keys;
    public double FalsePositiveRate => (double)FalsePositives / Probes;
}

/// <summary>
/// The measurement behind the filter choice (issue 5): the same (destination, window) key sets, taken from
/// a sample of households' simulated flows, stored as Golomb-coded sets (the agent's own code) and as
/// binary fuse filters; bits per key against log2(1/e), and false-positive rates from probes with keys
/// that are not in the set.
/// </summary>
public static class FilterChoice
{
    public static IReadOnlyList<FilterMeasurement> Measure(World world, int windowSeconds, int households = 16, int probesPerWindow = 16)
    {
        var sets = new List<HashSet<DestKey>>();
        for (int h = 0; h < Math.Min(households, world.Params.Households); h++)
            sets.AddRange(WindowSets(world.Flows[h * world.Params.Households / households], windowSeconds * 1000));
        var results = new List<FilterMeasurement>();
        foreach (int p in new[] { 14, 17 })
            results.Add(Run($"Golomb-coded set, P={p}", p, sets, probesPerWindow, keys =>
            {
                // Each key as a zero-length interval at the window's start: the entry's payload is then a
                // fixed 6 + 1 + k bits (end offset 0 of 60, Exp-Golomb of 0), taken off so that only the
                // hashed keys are compared with the fuse filter, which carries no time.
                var f = GolombSet.Build(SummaryConfig.FilterKey, 0, 60, keys.Select(k => new DestinationInterval(SummaryConfig.Key(k), 0, 0)), p);
                long payloadBits = (6 + 1 + GolombSet.LengthOrder) * (long)f.Count;
                return (f.Data.Length * 8L - payloadBits, k => GolombSet.Lookup(f, SummaryConfig.FilterKey, 0, 60, SummaryConfig.Key(k)).Count > 0);
            }));
        foreach (int bits in new[] { 8, 16 })
            results.Add(Run($"binary fuse, {bits}-bit fingerprints", bits, sets, probesPerWindow, keys =>
            {
                var f = BinaryFuse.Build([.. keys.Select(Hash)], bits);
                return (f.SizeBits, k => f.Contains(Hash(k)));
            }));
        return results;
    }

    private static FilterMeasurement Run(string name, double log2, List<HashSet<DestKey>> sets, int probes,
        Func<IReadOnlyCollection<DestKey>, (long Bits, Func<DestKey, bool> Contains)> build)
    {
        long keys = 0, bits = 0, tried = 0, fp = 0;
        var rng = new SplitMix(7, 0xF117);
        foreach (var set in sets)
        {
            var (size, contains) = build(set);
            keys += set.Count;
            bits += size;
            foreach (DestKey k in set)
                if (!contains(k))
                    throw new InvalidOperationException($"{name}: a member is missing: the filter is broken");
            for (int i = 0; i < probes; i++)
            {
                // Addresses from 240.0.0.0/4 never occur in the workload: certainly not members.
                var probe = new DestKey(0xF0000000u | (uint)rng.Next(1 << 28), 443, DestKey.Tcp);
                tried++;
                if (contains(probe))
                    fp++;
            }
        }
        return new FilterMeasurement(name, log2, keys, bits, tried, fp);
    }

    /// <summary>The distinct destinations alive in each active window of one household.</summary>
    private static IEnumerable<HashSet<DestKey>> WindowSets(Flow[] flows, int windowMs)
    {
        var byWindow = new SortedDictionary<int, HashSet<DestKey>>();
        foreach (Flow f in flows)
            for (int w = f.StartMs / windowMs; w <= f.EndMs / windowMs; w++)
                (byWindow.TryGetValue(w, out var s) ? s : byWindow[w] = []).Add(f.Dest);
        return byWindow.Values;
    }

    private static ulong Hash(DestKey d) => SplitMix.Mix(((ulong)d.Ip << 24) ^ ((ulong)d.Port << 8) ^ d.Proto);
}
