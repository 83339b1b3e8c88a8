using CeAgent.Bench.Workload;

namespace CeAgent.Bench.Agent;

/// <summary>
/// A 3-wise binary fuse filter (Graf and Lemire, "Binary Fuse Filters", 2022), written from the paper for
/// one purpose: to measure it against the Golomb-coded set on the same windows, so the choice of the
/// summary's filter rests on numbers. Fingerprints of 8 or 16 bits; keys are 64-bit hashes.
/// </summary>
public sealed class BinaryFuse
{
    private readonly ushort[] _slots;
    private readonly int _segmentLength, _segmentCountLength, _bits;
    private readonly ulong _seed;

    public int SizeBits => _slots.Length * _bits;

    private BinaryFuse(ushort[] slots, int segmentLength, int segmentCountLength, int bits, ulong seed) =>
        (_slots, _segmentLength, _segmentCountLength, _bits, _seed) = (slots, segmentLength, segmentCountLength, bits, seed);

    /// <summary>Builds the filter over distinct keys, re-seeding until peeling succeeds.</summary>
    public static BinaryFuse Build(IReadOnlyList<ulong> keys, int bits)
    {
        int n = Math.Max(keys.Count, 1);
        // Segment length and array size as the paper sizes them for arity 3: small sets need more room.
        int segmentLength = n == 1 ? 4 : Math.Min(1 << 18, 1 << (int)Math.Floor(Math.Log(n) / Math.Log(3.33) + 2.25));
        double factor = n <= 1 ? 0 : Math.Max(1.125, 0.875 + 0.25 * Math.Log(1_000_000) / Math.Log(n));
        int capacity = n <= 1 ? 0 : (int)Math.Round(n * factor);
        int segmentCount = Math.Max(1, (capacity + segmentLength - 1) / segmentLength - 2);
        int length = (segmentCount + 2) * segmentLength;
        for (ulong seed = 1; ; seed++)
            if (TryPeel(keys, bits, segmentLength, segmentCount * segmentLength, length, seed) is { } slots)
                return new BinaryFuse(slots, segmentLength, segmentCount * segmentLength, bits, seed);
    }

    public bool Contains(ulong key)
    {
        ulong h = SplitMix.Mix(key + _seed);
        var (a, b, c) = Positions(h, _segmentLength, _segmentCountLength);
        return (ushort)(_slots[a] ^ _slots[b] ^ _slots[c]) == Fingerprint(h, _bits);
    }

    private static ushort[]? TryPeel(IReadOnlyList<ulong> keys, int bits, int segmentLength, int segmentCountLength, int length, ulong seed)
    {
        var count = new int[length];
        var xorHash = new ulong[length];
        foreach (ulong k in keys)
        {
            ulong h = SplitMix.Mix(k + seed);
            var (a, b, c) = Positions(h, segmentLength, segmentCountLength);
            foreach (int p in new[] { a, b, c })
            {
                count[p]++;
                xorHash[p] ^= h;
            }
        }
        // Peel: a slot that holds one key fixes that key; removing it may free others.
        var queue = new Stack<int>(Enumerable.Range(0, length).Where(i => count[i] == 1));
        var order = new List<(ulong Hash, int Slot)>(keys.Count);
        while (queue.TryPop(out int slot))
        {
            if (count[slot] != 1)
                continue;
            ulong h = xorHash[slot];
            order.Add((h, slot));
            var (a, b, c) = Positions(h, segmentLength, segmentCountLength);
            foreach (int p in new[] { a, b, c })
            {
                count[p]--;
                xorHash[p] ^= h;
                if (count[p] == 1)
                    queue.Push(p);
            }
        }
        if (order.Count != keys.Count)
            return null;
        var slots = new ushort[length];
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var (h, slot) = order[i];
            var (a, b, c) = Positions(h, segmentLength, segmentCountLength);
            slots[slot] = 0;
            slots[slot] = (ushort)(Fingerprint(h, bits) ^ slots[a] ^ slots[b] ^ slots[c]);
        }
        return slots;
    }

    private static (int, int, int) Positions(ulong h, int segmentLength, int segmentCountLength)
    {
        ulong mask = (ulong)segmentLength - 1;
        int a = (int)Math.BigMul(h, (ulong)segmentCountLength, out _);
        int b = (int)((ulong)(a + segmentLength) ^ ((h >> 18) & mask));
        int c = (int)((ulong)(a + 2 * segmentLength) ^ (h & mask));
        return (a, b, c);
    }

    private static ushort Fingerprint(ulong h, int bits) => (ushort)((h ^ (h >> 32)) & ((1UL << bits) - 1));
}
