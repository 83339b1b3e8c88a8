using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;

namespace CeAgent.Shared.Summary;

/// <summary>A destination a flow talked to: what the content provider logs as its own address and port.</summary>
public readonly record struct FlowKey(IPAddress Destination, int Port, Proto Proto);

/// <summary>When the CE had a flow to a destination: from the first flow's start to the last one's end,
/// in whole UTC seconds (start rounded down, end up, so the record never claims less than was alive).</summary>
public readonly record struct DestinationInterval(FlowKey Destination, long StartUnix, long EndUnix);

/// <summary>What a window's filter says of one destination: an interval it was in use.</summary>
public readonly record struct Listed(long StartUnix, long EndUnix) : IComparable<Listed>
{
    public int CompareTo(Listed o) => StartUnix != o.StartUnix ? StartUnix.CompareTo(o.StartUnix) : EndUnix.CompareTo(o.EndUnix);
}

/// <summary>
/// The attribution filter: a Golomb-coded set as in BIP-158 whose entries carry time. Each destination
/// interval that ends in the window (or is cut at its end, see <see cref="SummaryLimits.MaxIntervalSeconds"/>)
/// is hashed with SipHash-2-4 under the ISP's key, together with the window start so that a false
/// positive in one window is independent of the next, and mapped onto [0, N * 2^P). The sorted values are
/// stored as Golomb-Rice coded gaps (about P + 1.5 bits, a false-positive rate of 2^-P), each followed by
/// the interval: its end as an offset into the window and its length in seconds. Listing an interval once
/// instead of a destination in every window it spans is what makes the record both smaller and exact to
/// the second (docs/attribution.md measures both). The layout is in docs/summary-format.md.
/// </summary>
public static class GolombSet
{
    public const int DefaultP = 17;
    public const int MaxP = 32;

    /// <summary>Exp-Golomb order of the interval lengths, chosen by the attribution benchmark.</summary>
    public const int LengthOrder = 6;

    private readonly record struct Entry(ulong Value, uint EndOffset, uint Length) : IComparable<Entry>
    {
        public int CompareTo(Entry o) =>
            Value != o.Value ? Value.CompareTo(o.Value) : EndOffset != o.EndOffset ? EndOffset.CompareTo(o.EndOffset) : Length.CompareTo(o.Length);
    }

    public static AttributionFilter Build(ReadOnlySpan<byte> key16, long windowStart, uint windowLength,
        IEnumerable<DestinationInterval> intervals, int p = DefaultP)
    {
        var distinct = new HashSet<DestinationInterval>(intervals);
        if (distinct.Count > SummaryLimits.MaxFilterKeys)
            throw new ArgumentException($"{distinct.Count} intervals exceed the filter limit of {SummaryLimits.MaxFilterKeys}");
        ulong range = (ulong)distinct.Count << p;
        long maxLength = SummaryLimits.MaxIntervalSeconds(windowLength);
        var entries = new List<Entry>(distinct.Count);
        foreach (DestinationInterval d in distinct)
        {
            long end = d.EndUnix - windowStart, length = d.EndUnix - d.StartUnix;
            if (end < 0 || end > windowLength || length < 0 || length > maxLength)
                throw new ArgumentException($"interval [{d.StartUnix}, {d.EndUnix}] does not end in the window at {windowStart} or is longer than {maxLength} s");
            entries.Add(new Entry(Map(key16, windowStart, d.Destination, range), (uint)end, (uint)length));
        }
        entries.Sort();
        // Two intervals may hash to one value (the same destination twice, or a collision): each is
        // stored, with a zero gap, as BIP-158 does, so N stays the count the values were mapped with.
        var bits = new BitWriter();
        int offsetBits = OffsetBits(windowLength);
        ulong previous = 0;
        foreach (Entry e in entries)
        {
            ulong delta = e.Value - previous;
            bits.Unary(delta >> p);
            bits.Bits(delta & ((1UL << p) - 1), p);
            bits.Bits(e.EndOffset, offsetBits);
            bits.ExpGolomb(e.Length, LengthOrder);
            previous = e.Value;
        }
        return new AttributionFilter(p, distinct.Count, bits.ToArray());
    }

    /// <summary>The intervals the filter lists for the destination: the real ones, or rarely (2^-P) a
    /// false positive's.</summary>
    public static List<Listed> Lookup(AttributionFilter f, ReadOnlySpan<byte> key16, long windowStart, uint windowLength, FlowKey key)
    {
        var probe = new Collect { Found = [], WindowStart = windowStart };
        if (f.Count == 0)
            return probe.Found;
        probe.Target = Map(key16, windowStart, key, (ulong)f.Count << f.P);
        Read(f, windowLength, ref probe);
        return probe.Found;
    }

    /// <summary>Whether the filter lists the destination at a time that meets [fromMs, toMs], each listed
    /// interval widened by <paramref name="slackMs"/> (the window's clock error bound) on both sides: what
    /// <see cref="Lookup"/> and a test of its result would say, without a list, stopping at the first such
    /// interval or the first value past the destination's (entries are sorted).</summary>
    public static bool ListsAt(AttributionFilter f, ReadOnlySpan<byte> key16, long windowStart, uint windowLength, FlowKey key,
        long fromMs, long toMs, long slackMs)
    {
        if (f.Count == 0)
            return false;
        var probe = new AnyAt { Target = Map(key16, windowStart, key, (ulong)f.Count << f.P), WindowStart = windowStart, FromMs = fromMs, ToMs = toMs, SlackMs = slackMs };
        Read(f, windowLength, ref probe);
        return probe.Hit;
    }

    /// <summary>Reads the whole filter as the decoder must: values in range, entries in canonical order
    /// (a repeat is a hash collision between two destinations), intervals that end in the window and respect the length limit, nothing after the
    /// last entry but zero padding. Throws <see cref="SummaryFormatException"/> naming what is wrong.</summary>
    public static int Validate(AttributionFilter f, uint windowLength)
    {
        var all = new All();
        Read(f, windowLength, ref all);
        return f.Count;
    }

    /// <summary>What a read does with each entry; true stops it (before the padding is checked).</summary>
    private interface IProbe
    {
        bool Stop(ulong value, uint end, uint length);
    }

    private struct All : IProbe
    {
        public readonly bool Stop(ulong value, uint end, uint length) => false;
    }

    private struct Collect : IProbe
    {
        public ulong Target;
        public long WindowStart;
        public List<Listed> Found;

        public readonly bool Stop(ulong value, uint end, uint length)
        {
            if (value == Target)
                Found.Add(new Listed(WindowStart + end - length, WindowStart + end));
            return value > Target;
        }
    }

    private struct AnyAt : IProbe
    {
        public ulong Target;
        public long WindowStart, FromMs, ToMs, SlackMs;
        public bool Hit;

        public bool Stop(ulong value, uint end, uint length)
        {
            Hit = value == Target && (WindowStart + end - length) * 1000 - SlackMs <= ToMs && (WindowStart + end) * 1000 + SlackMs >= FromMs;
            return Hit || value > Target;
        }
    }

    /// <summary>The filter's entries in order, each checked as it is read, handed to the probe; after the
    /// last, the padding. A probe that stops early has had every entry before its stop checked, and no read
    /// passes the data or loops: each entry consumes bits. Generic over a struct so each probe gets its own
    /// compiled loop with nothing allocated and no call per entry.</summary>
    private static void Read<T>(AttributionFilter f, uint windowLength, ref T probe) where T : struct, IProbe
    {
        if (f.P is < 1 or > MaxP)
            throw new SummaryFormatException($"filter parameter P = {f.P} is outside 1..{MaxP}");
        ReadOnlySpan<byte> data = f.Data;
        int p = f.P, offsetBits = OffsetBits(windowLength);
        ulong maxLength = (ulong)SummaryLimits.MaxIntervalSeconds(windowLength), range = (ulong)f.Count << p;
        var bits = new BitState();
        ulong previous = 0;
        uint previousEnd = 0, previousLength = 0;
        for (int i = 0; i < f.Count; i++)
        {
            (bits, ulong q) = BitRead.Unary(data, bits, range >> p);
            (bits, ulong remainder) = BitRead.Take(data, bits, p);
            ulong value = previous + ((q << p) | remainder);
            if (value >= range)
                throw OutsideRange(value, range);
            (bits, ulong endBits) = BitRead.Take(data, bits, offsetBits);
            uint end = (uint)endBits;
            if (end > windowLength)
                throw EndsAfter(i, end, windowLength);
            (bits, ulong lengthBits) = BitRead.ExpGolomb(data, bits, LengthOrder, maxLength);
            uint length = (uint)lengthBits;
            if (i > 0 && value == previous && (end < previousEnd || end == previousEnd && length < previousLength))
                throw OutOfOrder(i);
            if (probe.Stop(value, end, length))
                return;
            (previous, previousEnd, previousLength) = (value, end, length);
        }
        BitRead.ExpectEnd(data, bits);
    }

    // Out of line: the message is built only on failure, and the loop stays small.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SummaryFormatException OutsideRange(ulong value, ulong range) => new($"filter value {value} lies outside its range {range}");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SummaryFormatException EndsAfter(int entry, uint end, uint windowLength) => new($"filter entry {entry} ends {end} s into a window of {windowLength} s");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SummaryFormatException OutOfOrder(int entry) => new($"filter entry {entry} is out of order");

    /// <summary>Bits for an end offset of 0..length seconds.</summary>
    private static int OffsetBits(uint windowLength) => 32 - System.Numerics.BitOperations.LeadingZeroCount(windowLength);

    private static ulong Map(ReadOnlySpan<byte> key16, long windowStart, FlowKey k, ulong range) =>
        (ulong)(((UInt128)KeyedHash(key16, windowStart, k) * range) >> 64);

    /// <summary>The destination's keyed hash in the window starting at windowStart, before it is mapped onto
    /// a filter's range. An evidence bundle hands this out for the windows a verdict rests on: it confirms
    /// those matches without the key, and tests nothing else (another destination or window hashes anew).</summary>
    public static ulong KeyedHash(ReadOnlySpan<byte> key16, long windowStart, FlowKey k)
    {
        Span<byte> input = stackalloc byte[8 + 16 + 2 + 1];
        BinaryPrimitives.WriteInt64BigEndian(input, windowStart);
        IPAddress a = k.Destination.IsIPv4MappedToIPv6 ? k.Destination : k.Destination.MapToIPv6();
        a.TryWriteBytes(input.Slice(8, 16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(input[24..], (ushort)k.Port);
        input[26] = (byte)k.Proto;
        return SipHash.Hash(key16, input);
    }
}
