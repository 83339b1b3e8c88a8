using System.Runtime.CompilerServices;

namespace CeAgent.Shared.Summary;

/// <summary>Most-significant-bit-first bit writer for Golomb-Rice codes; the last byte is zero-padded.</summary>
internal sealed class BitWriter
{
    private readonly List<byte> _bytes = [];
    private int _used = 8;

    public void Bit(bool one)
    {
        if (_used == 8)
        {
            _bytes.Add(0);
            _used = 0;
        }
        if (one)
            _bytes[^1] |= (byte)(0x80 >> _used);
        _used++;
    }

    /// <summary>q ones and a closing zero.</summary>
    public void Unary(ulong q)
    {
        for (ulong i = 0; i < q; i++)
            Bit(true);
        Bit(false);
    }

    public void Bits(ulong value, int count)
    {
        for (int i = count - 1; i >= 0; i--)
            Bit(((value >> i) & 1) != 0);
    }

    /// <summary>Exp-Golomb code of order k: (value >> k) + 1 in Elias-gamma, then the low k bits. Small
    /// values stay short, large ones grow by two bits an octave.</summary>
    public void ExpGolomb(ulong value, int k)
    {
        ulong high = (value >> k) + 1;
        int width = 64 - System.Numerics.BitOperations.LeadingZeroCount(high);
        Bits(0, width - 1);
        Bits(high, width);
        Bits(value & ((1UL << k) - 1), k);
    }

    public byte[] ToArray() => [.. _bytes];
}

/// <summary>Reads what <see cref="BitWriter"/> wrote; running past the end is a format error, not a hang.
/// MSB first through a 64-bit buffer refilled eight bytes at a time, a ref struct over the filter's bytes, so
/// a gap, a value or a code costs a few instructions and nothing is allocated (the collector validates
/// every filter entry, and the resolver reads many filters a request).</summary>
internal ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private ulong _buf;  // the next bits, left-aligned; below _avail: later bits of the stream, or zeros past its end
    private int _avail;  // 0-63: a shift by 64 would be a no-op in C#
    private int _next;   // bytes loaded into _buf

    public BitReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        Refill();
    }

    /// <summary>Bits not yet read.</summary>
    public readonly long Remaining => (long)(_data.Length - _next) * 8 + _avail;

    /// <summary>At least 56 bits in the buffer, or all that is left. The fast path ORs a whole word in: the
    /// bits past the new count are the stream's next bits, which a later refill writes again unchanged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Refill()
    {
        if (_avail >= 56)
            return;
        if (_next + 8 <= _data.Length)
        {
            _buf |= System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(_data[_next..]) >> _avail;
            _next += (63 - _avail) >> 3;
            _avail |= 56;
        }
        else
            while (_avail < 56 && _next < _data.Length)
            {
                _buf |= (ulong)_data[_next++] << (56 - _avail);
                _avail += 8;
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Skip(int n)
    {
        _buf <<= n;
        _avail -= n;
    }

    // Errors are built out of line so that the reads stay small enough to inline into the filter loop.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly SummaryFormatException Truncated() => new($"filter data ends after {_data.Length} bytes in the middle of a value");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SummaryFormatException Error(string message) => new(message);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SummaryFormatException OverLimit(ulong v, ulong limit) => new($"filter data holds an interval length {v} over the limit {limit}");

    /// <param name="limit">The largest quotient a valid stream can hold; more ones mean garbage.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Unary(ulong limit)
    {
        ulong q = 0;
        while (true)
        {
            Refill();
            if (_avail == 0)
                throw Truncated();
            int ones = Math.Min(System.Numerics.BitOperations.LeadingZeroCount(~_buf), _avail);
            q += (ulong)ones;
            if (q > limit)
                throw Error("filter data holds a gap larger than its range");
            if (ones < _avail)
            {
                Skip(ones + 1); // the terminating zero
                return q;
            }
            Skip(ones);
        }
    }

    /// <summary>count (0-32) bits as a number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Bits(int count)
    {
        if (count == 0)
            return 0;
        Refill();
        if (_avail < count)
            throw Truncated();
        ulong v = _buf >> (64 - count);
        Skip(count);
        return v;
    }

    /// <param name="limit">The largest value a valid stream can hold.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ExpGolomb(int k, ulong limit)
    {
        // A valid code has at most 32 leading zeros; padding zeros past the end are not the stream's.
        Refill();
        int zeros = System.Numerics.BitOperations.LeadingZeroCount(_buf);
        long remaining = Remaining;
        if (zeros > 32 && remaining > 32)
            throw Error("filter data holds an interval length code longer than any valid one");
        if (zeros >= remaining)
            throw Truncated();
        Skip(zeros + 1);
        ulong high = (1UL << zeros) | Bits(zeros);
        ulong v = ((high - 1) << k) | Bits(k);
        return v <= limit ? v : throw OverLimit(v, limit);
    }

    /// <summary>What a canonical stream ends with: only the zero padding of its last byte.</summary>
    public readonly void ExpectEnd()
    {
        long rest = Remaining;
        if (rest >= 8 || rest > 0 && (_data[^1] & ((1 << (int)rest) - 1)) != 0)
            throw new SummaryFormatException($"filter data has {rest} bits after its last entry, expected only zero padding under 8");
    }
}
