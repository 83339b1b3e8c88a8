using System.Buffers.Binary;
using System.Net;

namespace CeAgent.Shared.Summary;

/// <summary>A destination a flow talked to: what the content provider logs as its own address and port.</summary>
public readonly record struct FlowKey(IPAddress Destination, int Port, Proto Proto);

/// <summary>
/// The attribution filter: a Golomb-coded set as in BIP-158. Each key is hashed with SipHash-2-4 under the
/// ISP's key, together with the window start so that a false positive in one window is independent of the
/// next (several observations then really narrow the answer), and mapped onto [0, N * 2^P). The sorted,
/// de-duplicated values are stored as Golomb-Rice coded gaps: about P + 1.5 bits a key, for a false-positive
/// rate of 2^-P. <see cref="DefaultP"/> is chosen in docs/summary-format.md.
/// </summary>
public static class GolombSet
{
    public const int DefaultP = 17;
    public const int MaxP = 32;

    public static AttributionFilter Build(ReadOnlySpan<byte> key16, long windowStart, IEnumerable<FlowKey> keys, int p = DefaultP)
    {
        var distinct = new HashSet<FlowKey>(keys);
        if (distinct.Count > Summary.SummaryLimits.MaxFilterKeys)
            throw new ArgumentException($"{distinct.Count} keys exceed the filter limit of {SummaryLimits.MaxFilterKeys}");
        ulong range = (ulong)distinct.Count << p;
        var values = new List<ulong>(distinct.Count);
        foreach (FlowKey k in distinct)
            values.Add(Map(key16, windowStart, k, range));
        values.Sort();
        // Two keys may hash to one value: it is stored twice (a zero gap), as BIP-158 does, so N stays the
        // count the values were mapped with.
        var bits = new BitWriter();
        ulong previous = 0;
        foreach (ulong v in values)
        {
            ulong delta = v - previous;
            bits.Unary(delta >> p);
            bits.Bits(delta & ((1UL << p) - 1), p);
            previous = v;
        }
        return new AttributionFilter(p, distinct.Count, bits.ToArray());
    }

    public static bool Contains(AttributionFilter f, ReadOnlySpan<byte> key16, long windowStart, FlowKey key)
    {
        if (f.Count == 0)
            return false;
        ulong target = Map(key16, windowStart, key, (ulong)f.Count << f.P);
        foreach (ulong v in Values(f))
        {
            if (v == target)
                return true;
            if (v > target)
                return false;
        }
        return false;
    }

    /// <summary>The stored values in ascending order. Throws on a truncated or malformed stream.</summary>
    public static IEnumerable<ulong> Values(AttributionFilter f)
    {
        var reader = new BitReader(f.Data);
        ulong value = 0;
        ulong range = (ulong)f.Count << f.P;
        for (int i = 0; i < f.Count; i++)
        {
            ulong q = reader.Unary(range >> f.P);
            ulong delta = (q << f.P) | reader.Bits(f.P);
            value += delta;
            if (value >= range)
                throw new SummaryFormatException($"filter value {value} lies outside its range {range}");
            yield return value;
        }
    }

    private static ulong Map(ReadOnlySpan<byte> key16, long windowStart, FlowKey k, ulong range)
    {
        Span<byte> input = stackalloc byte[8 + 16 + 2 + 1];
        BinaryPrimitives.WriteInt64BigEndian(input, windowStart);
        IPAddress a = k.Destination.IsIPv4MappedToIPv6 ? k.Destination : k.Destination.MapToIPv6();
        a.TryWriteBytes(input.Slice(8, 16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(input[24..], (ushort)k.Port);
        input[26] = (byte)k.Proto;
        return (ulong)(((UInt128)SipHash.Hash(key16, input) * range) >> 64);
    }
}
