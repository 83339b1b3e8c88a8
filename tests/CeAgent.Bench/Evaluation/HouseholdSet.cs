using System.Numerics;
using System.Runtime.CompilerServices;

namespace CeAgent.Bench.Evaluation;

/// <summary>A set of households behind the shared IPv4 (at most 256: PSID length up to 8), as bits.</summary>
public struct HouseholdSet
{
    public const int Capacity = 256;
    private Words _w;

    [InlineArray(4)]
    private struct Words
    {
        private ulong _e;
    }

    public static HouseholdSet All(int households)
    {
        var s = new HouseholdSet();
        for (int h = 0; h < households; h++)
            s.Add(h);
        return s;
    }

    public void Add(int h)
    {
        if ((uint)h >= Capacity)
            throw new ArgumentOutOfRangeException(nameof(h), h, "household index beyond 255");
        _w[h >> 6] |= 1UL << (h & 63);
    }

    public readonly bool Contains(int h) => (uint)h < Capacity && (_w[h >> 6] >> (h & 63) & 1) != 0;

    public readonly int Count
    {
        get
        {
            int n = 0;
            foreach (ulong w in _w)
                n += BitOperations.PopCount(w);
            return n;
        }
    }

    public void IntersectWith(HouseholdSet other)
    {
        for (int i = 0; i < 4; i++)
            _w[i] &= other._w[i];
    }

    /// <summary>The lowest member, or -1 when empty.</summary>
    public readonly int First()
    {
        for (int i = 0; i < 4; i++)
            if (_w[i] != 0)
                return i * 64 + BitOperations.TrailingZeroCount(_w[i]);
        return -1;
    }
}
