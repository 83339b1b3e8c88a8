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
/// MSB first through a 64-bit window, so a gap, a value or a code costs a few instructions rather than one
/// per bit (the collector validates every filter entry, and the resolver reads many filters a request).</summary>
internal sealed class BitReader(byte[] data)
{
    private readonly long _bits = (long)data.Length * 8;
    private long _pos;

    /// <summary>The next bits from the position, left-aligned: at least 57 of them are the stream's,
    /// zeros past its end.</summary>
    private ulong Peek()
    {
        int i = (int)(_pos >> 3);
        ulong w;
        if (i + 8 <= data.Length)
            w = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(i));
        else
        {
            w = 0;
            for (int k = 0; k < 8; k++)
                w = (w << 8) | (i + k < data.Length ? data[i + k] : 0u);
        }
        return w << (int)(_pos & 7);
    }

    private SummaryFormatException Truncated() => new($"filter data ends after {data.Length} bytes in the middle of a value");

    /// <param name="limit">The largest quotient a valid stream can hold; more ones mean garbage.</param>
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
                _pos++; // the terminating zero
                return q;
            }
        }
    }

    /// <summary>count (0-64) bits as a number.</summary>
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

    /// <param name="limit">The largest value a valid stream can hold.</param>
    public ulong ExpGolomb(int k, ulong limit)
    {
        // A valid code has at most 32 leading zeros; padding zeros past the end are not the stream's.
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

    /// <summary>What a canonical stream ends with: only the zero padding of its last byte.</summary>
    public void ExpectEnd()
    {
        long rest = _bits - _pos;
        if (rest >= 8 || rest > 0 && (data[^1] & ((1 << (int)rest) - 1)) != 0)
            throw new SummaryFormatException($"filter data has {rest} bits after its last entry, expected only zero padding under 8");
    }
}
