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
        while (Bit())
            if (++q > limit)
                throw new SummaryFormatException($"filter data holds a gap larger than its range");
        return q;
    }

    public ulong Bits(int count)
    {
        ulong v = 0;
        for (int i = 0; i < count; i++)
            v = (v << 1) | (Bit() ? 1UL : 0);
        return v;
    }
}
