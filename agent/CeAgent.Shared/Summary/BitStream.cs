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

/// <summary>Where a read of a bit stream is: the next bits, left-aligned in a 64-bit buffer (past
/// <see cref="Avail"/>: the stream's next bits, or zeros past its end, never anything else: a refill ORs a
/// whole word in, and a later one writes the same bits again), how many of them count (under 64, since a
/// shift by 64 is a no-op in C#), and how many bytes have been loaded.</summary>
internal struct BitState
{
    public ulong Buf;
    public int Avail;
    public int Next;
}

/// <summary>
/// Reads what <see cref="BitWriter"/> wrote; running past the end is a format error, not a hang. MSB first
/// through a 64-bit buffer refilled eight bytes at a time. Each step takes the state by value and returns
/// the new one: nothing takes its address, so once the steps are inlined into the filter loop the JIT keeps
/// it in registers (a struct read through methods, or locals passed by reference, lived on the stack: a
/// load and a store a step; the collector validates every filter entry, the resolver reads many filters a
/// request).
/// </summary>
internal static class BitRead
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BitState Refill(ReadOnlySpan<byte> data, BitState s)
    {
        if (s.Next + 8 > data.Length)
            return RefillTail(data, s);
        s.Buf |= System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(data[s.Next..]) >> s.Avail;
        s.Next += (63 - s.Avail) >> 3;
        s.Avail |= 56; // 56-63
        return s;
    }

    private static BitState RefillTail(ReadOnlySpan<byte> data, BitState s)
    {
        while (s.Avail < 56 && s.Next < data.Length)
        {
            s.Buf |= (ulong)data[s.Next++] << (56 - s.Avail);
            s.Avail += 8;
        }
        return s;
    }

    /// <summary>count (0-32) bits as a number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (BitState, ulong) Take(ReadOnlySpan<byte> data, BitState s, int count)
    {
        if (count == 0)
            return (s, 0);
        if (s.Avail < count)
        {
            s = Refill(data, s);
            if (s.Avail < count)
                throw Truncated(data.Length);
        }
        ulong v = s.Buf >> (64 - count);
        s.Buf <<= count;
        s.Avail -= count;
        return (s, v);
    }

    /// <param name="limit">The largest quotient a valid stream can hold; more ones mean garbage.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (BitState, ulong) Unary(ReadOnlySpan<byte> data, BitState s, ulong limit)
    {
        ulong q = 0;
        while (true)
        {
            if (s.Avail < 56)
                s = Refill(data, s);
            if (s.Avail == 0)
                throw Truncated(data.Length);
            int ones = Math.Min(System.Numerics.BitOperations.LeadingZeroCount(~s.Buf), s.Avail);
            q += (ulong)ones;
            if (q > limit)
                throw Error("filter data holds a gap larger than its range");
            if (ones < s.Avail)
            {
                s.Buf <<= ones + 1; // and the terminating zero
                s.Avail -= ones + 1;
                return (s, q);
            }
            s.Buf <<= ones;
            s.Avail -= ones;
        }
    }

    /// <summary>Exp-Golomb code of order k.</summary>
    /// <param name="limit">The largest value a valid stream can hold.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (BitState, ulong) ExpGolomb(ReadOnlySpan<byte> data, BitState s, int k, ulong limit)
    {
        // A valid code has at most 32 leading zeros; padding zeros past the end are not the stream's.
        if (s.Avail < 56)
            s = Refill(data, s);
        int zeros = System.Numerics.BitOperations.LeadingZeroCount(s.Buf);
        long remaining = (long)(data.Length - s.Next) * 8 + s.Avail;
        if (zeros > 32 && remaining > 32)
            throw Error("filter data holds an interval length code longer than any valid one");
        if (zeros >= remaining)
            throw Truncated(data.Length);
        s.Buf <<= zeros + 1;
        s.Avail -= zeros + 1;
        (s, ulong rest) = Take(data, s, zeros);
        (s, ulong low) = Take(data, s, k);
        ulong v = ((((1UL << zeros) | rest) - 1) << k) | low;
        return v <= limit ? (s, v) : throw OverLimit(v, limit);
    }

    /// <summary>What a canonical stream ends with: only the zero padding of its last byte.</summary>
    public static void ExpectEnd(ReadOnlySpan<byte> data, BitState s)
    {
        long rest = (long)(data.Length - s.Next) * 8 + s.Avail;
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
