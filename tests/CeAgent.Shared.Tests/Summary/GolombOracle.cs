using System.Buffers.Binary;
using CeAgent.Shared.Summary;

namespace CeAgent.Shared.Tests.Summary;

/// <summary>
/// The filter reader as it was before the allocation-free cursor (commit 162c277): an iterator over a
/// class-based bit reader, every entry checked, the lookup stopping at the first value past the target.
/// Kept only as the oracle the fast reader is compared with (GolombFastPathTests), never shipped.
/// </summary>
internal static class GolombOracle
{
    public static List<Listed> Lookup(AttributionFilter f, ReadOnlySpan<byte> key16, long windowStart, uint windowLength, FlowKey key)
    {
        var found = new List<Listed>();
        if (f.Count == 0)
            return found;
        ulong target = (ulong)(((UInt128)GolombSet.KeyedHash(key16, windowStart, key) * ((ulong)f.Count << f.P)) >> 64);
        foreach (var (value, end, length) in Entries(f, windowLength))
        {
            if (value > target)
                break;
            if (value == target)
                found.Add(new Listed(windowStart + end - length, windowStart + end));
        }
        return found;
    }

    public static int Validate(AttributionFilter f, uint windowLength) => Entries(f, windowLength).Count();

    private static IEnumerable<(ulong Value, uint End, uint Length)> Entries(AttributionFilter f, uint windowLength)
    {
        if (f.P is < 1 or > GolombSet.MaxP)
            throw new SummaryFormatException($"filter parameter P = {f.P} is outside 1..{GolombSet.MaxP}");
        var reader = new OracleBitReader(f.Data);
        int offsetBits = 32 - System.Numerics.BitOperations.LeadingZeroCount(windowLength);
        ulong maxLength = (ulong)SummaryLimits.MaxIntervalSeconds(windowLength);
        ulong range = (ulong)f.Count << f.P;
        (ulong Value, uint End, uint Length) previous = default;
        for (int i = 0; i < f.Count; i++)
        {
            ulong q = reader.Unary(range >> f.P);
            ulong value = previous.Value + ((q << f.P) | reader.Bits(f.P));
            if (value >= range)
                throw new SummaryFormatException($"filter value {value} lies outside its range {range}");
            uint end = (uint)reader.Bits(offsetBits);
            if (end > windowLength)
                throw new SummaryFormatException($"filter entry {i} ends {end} s into a window of {windowLength} s");
            var e = (value, end, (uint)reader.ExpGolomb(GolombSet.LengthOrder, maxLength));
            if (i > 0 && e.CompareTo(previous) < 0)
                throw new SummaryFormatException($"filter entry {i} is out of order");
            yield return previous = e;
        }
        reader.ExpectEnd();
    }

    private sealed class OracleBitReader(byte[] data)
    {
        private readonly long _bits = (long)data.Length * 8;
        private long _pos;

        private ulong Peek()
        {
            int i = (int)(_pos >> 3);
            ulong w;
            if (i + 8 <= data.Length)
                w = BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(i));
            else
            {
                w = 0;
                for (int k = 0; k < 8; k++)
                    w = (w << 8) | (i + k < data.Length ? data[i + k] : 0u);
            }
            return w << (int)(_pos & 7);
        }

        private SummaryFormatException Truncated() => new($"filter data ends after {data.Length} bytes in the middle of a value");

        public ulong Unary(ulong limit)
        {
            ulong q = 0;
            while (true)
            {
                long remaining = _bits - _pos;
                if (remaining <= 0)
                    throw Truncated();
                int available = (int)Math.Min(57, remaining);
                int ones = Math.Min(System.Numerics.BitOperations.LeadingZeroCount(~Peek()), available);
                q += (ulong)ones;
                if (q > limit)
                    throw new SummaryFormatException($"filter data holds a gap larger than its range");
                _pos += ones;
                if (ones < available)
                {
                    _pos++;
                    return q;
                }
            }
        }

        public ulong Bits(int count)
        {
            if (count == 0)
                return 0;
            if (_pos + count > _bits)
                throw Truncated();
            if (count > 57)
                return (Bits(count - 32) << 32) | Bits(32);
            ulong v = Peek() >> (64 - count);
            _pos += count;
            return v;
        }

        public ulong ExpGolomb(int k, ulong limit)
        {
            int zeros = System.Numerics.BitOperations.LeadingZeroCount(Peek());
            long remaining = _bits - _pos;
            if (zeros > 32 && remaining > 32)
                throw new SummaryFormatException("filter data holds an interval length code longer than any valid one");
            if (zeros >= remaining)
                throw Truncated();
            _pos += zeros + 1;
            ulong high = (1UL << zeros) | Bits(zeros);
            ulong v = ((high - 1) << k) | Bits(k);
            return v <= limit ? v : throw new SummaryFormatException($"filter data holds an interval length {v} over the limit {limit}");
        }

        public void ExpectEnd()
        {
            long rest = _bits - _pos;
            if (rest >= 8 || rest > 0 && (data[^1] & ((1 << (int)rest) - 1)) != 0)
                throw new SummaryFormatException($"filter data has {rest} bits after its last entry, expected only zero padding under 8");
        }
    }
}
