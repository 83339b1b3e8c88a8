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

/// <summary>Reads what <see cref="BitWriter"/> wrote; running past the end is a format error, not a hang.</summary>
internal sealed class BitReader(byte[] data)
{
    private long _pos;

    public bool Bit()
    {
        if (_pos >= (long)data.Length * 8)
            throw new SummaryFormatException($"filter data ends after {data.Length} bytes in the middle of a value");
        bool one = (data[_pos >> 3] & (0x80 >> (int)(_pos & 7))) != 0;
        _pos++;
        return one;
    }

    /// <param name="limit">The largest quotient a valid stream can hold; more ones mean garbage.</param>
    public ulong Unary(ulong limit)
    {
        ulong q = 0;
        while (true)
        {
            if (_pos >= (long)data.Length * 8)
                throw new SummaryFormatException($"filter data ends after {data.Length} bytes in the middle of a value");
            // The ones left in this byte, counted at once: the resolver reads many filters.
            int offset = (int)(_pos & 7), left = 8 - offset;
            uint rest = (uint)(data[_pos >> 3] << offset) & 0xFF;
            int ones = Math.Min(System.Numerics.BitOperations.LeadingZeroCount(~rest << 24), left);
            q += (ulong)ones;
            if (q > limit)
                throw new SummaryFormatException($"filter data holds a gap larger than its range");
            _pos += ones;
            if (ones < left)
            {
                _pos++; // the terminating zero
                return q;
            }
        }
    }

    /// <summary>count (0-64) bits as a number, a byte's worth at a time (the resolver reads many filters).</summary>
    public ulong Bits(int count)
    {
        if (_pos + count > (long)data.Length * 8)
            throw new SummaryFormatException($"filter data ends after {data.Length} bytes in the middle of a value");
        ulong v = 0;
        while (count > 0)
        {
            int offset = (int)(_pos & 7), take = Math.Min(8 - offset, count);
            v = (v << take) | (uint)((data[_pos >> 3] >> (8 - offset - take)) & ((1 << take) - 1));
            _pos += take;
            count -= take;
        }
        return v;
    }

    /// <param name="limit">The largest value a valid stream can hold.</param>
    public ulong ExpGolomb(int k, ulong limit)
    {
        int zeros = 0;
        while (!Bit())
            if (++zeros > 32)
                throw new SummaryFormatException("filter data holds an interval length code longer than any valid one");
        ulong high = (1UL << zeros) | Bits(zeros);
        ulong v = ((high - 1) << k) | Bits(k);
        return v <= limit ? v : throw new SummaryFormatException($"filter data holds an interval length {v} over the limit {limit}");
    }

    /// <summary>What a canonical stream ends with: only the zero padding of its last byte.</summary>
    public void ExpectEnd()
    {
        long rest = (long)data.Length * 8 - _pos;
        if (rest >= 8 || rest > 0 && (data[^1] & ((1 << (int)rest) - 1)) != 0)
            throw new SummaryFormatException($"filter data has {rest} bits after its last entry, expected only zero padding under 8");
    }
}
