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

/// <summary>
/// Reads what <see cref="BitWriter"/> wrote; running past the end is a format error, not a hang. MSB first
/// through a 64-bit buffer refilled eight bytes at a time. The state is the caller's locals (the data, the
/// buffer, the bits in it, the bytes loaded), passed by reference to these inlined steps, so the filter
/// loop keeps it in registers: a struct holding it lived on the stack, a load and a store a step (the
/// collector validates every filter entry, the resolver reads many filters a request).
/// In the buffer past <c>avail</c> lie the stream's next bits or zeros past its end, never anything else:
/// a refill ORs a whole word in, and a later one writes the same bits again.
/// </summary>
internal static class BitRead
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Refill(ReadOnlySpan<byte> data, ref ulong buf, ref int avail, ref int next)
    {
        if (next + 8 <= data.Length)
        {
            buf |= System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(data[next..]) >> avail;
            next += (63 - avail) >> 3;
            avail |= 56; // 56-63: avail stays under 64, since a shift by 64 is a no-op in C#
        }
        else
            RefillTail(data, ref buf, ref avail, ref next);
    }

    private static void RefillTail(ReadOnlySpan<byte> data, ref ulong buf, ref int avail, ref int next)
    {
        while (avail < 56 && next < data.Length)
        {
            buf |= (ulong)data[next++] << (56 - avail);
            avail += 8;
        }
    }

    /// <summary>count (0-32) bits as a number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Take(ReadOnlySpan<byte> data, ref ulong buf, ref int avail, ref int next, int count)
    {
        if (count == 0)
            return 0;
        if (avail < count)
        {
            Refill(data, ref buf, ref avail, ref next);
            if (avail < count)
                throw Truncated(data.Length);
        }
        ulong v = buf >> (64 - count);
        buf <<= count;
        avail -= count;
        return v;
    }

    /// <param name="limit">The largest quotient a valid stream can hold; more ones mean garbage.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Unary(ReadOnlySpan<byte> data, ref ulong buf, ref int avail, ref int next, ulong limit)
    {
        ulong q = 0;
        while (true)
        {
            if (avail < 56)
                Refill(data, ref buf, ref avail, ref next);
            if (avail == 0)
                throw Truncated(data.Length);
            int ones = Math.Min(System.Numerics.BitOperations.LeadingZeroCount(~buf), avail);
            q += (ulong)ones;
            if (q > limit)
                throw Error("filter data holds a gap larger than its range");
            if (ones < avail)
            {
                buf <<= ones + 1; // and the terminating zero
                avail -= ones + 1;
                return q;
            }
            buf <<= ones;
            avail -= ones;
        }
    }

    /// <summary>Exp-Golomb code of order k.</summary>
    /// <param name="limit">The largest value a valid stream can hold.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ExpGolomb(ReadOnlySpan<byte> data, ref ulong buf, ref int avail, ref int next, int k, ulong limit)
    {
        // A valid code has at most 32 leading zeros; padding zeros past the end are not the stream's.
        if (avail < 56)
            Refill(data, ref buf, ref avail, ref next);
        int zeros = System.Numerics.BitOperations.LeadingZeroCount(buf);
        long remaining = (long)(data.Length - next) * 8 + avail;
        if (zeros > 32 && remaining > 32)
            throw Error("filter data holds an interval length code longer than any valid one");
        if (zeros >= remaining)
            throw Truncated(data.Length);
        buf <<= zeros + 1;
        avail -= zeros + 1;
        ulong high = (1UL << zeros) | Take(data, ref buf, ref avail, ref next, zeros);
        ulong v = ((high - 1) << k) | Take(data, ref buf, ref avail, ref next, k);
        return v <= limit ? v : throw OverLimit(v, limit);
    }

    /// <summary>What a canonical stream ends with: only the zero padding of its last byte.</summary>
    public static void ExpectEnd(ReadOnlySpan<byte> data, int avail, int next)
    {
        long rest = (long)(data.Length - next) * 8 + avail;
        if (rest >= 8 || rest > 0 && (data[^1] & ((1 << (int)rest) - 1)) != 0)
            throw new SummaryFormatException($"filter data has {rest} bits after its last entry, expected only zero padding under 8");
    }

    // Errors are built out of line so that the steps stay small enough to inline into the filter loop.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SummaryFormatException Truncated(int bytes) => new($"filter data ends after {bytes} bytes in the middle of a value");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SummaryFormatException Error(string message) => new(message);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SummaryFormatException OverLimit(ulong v, ulong limit) => new($"filter data holds an interval length {v} over the limit {limit}");
}
