namespace CeAgent.Shared.MapE;

/// <summary>An inclusive range of ports.</summary>
public readonly record struct PortRange(int First, int Last)
{
    public int Count => Last - First + 1;
    public override string ToString() => First == Last ? $"{First}" : $"{First}-{Last}";
}

/// <summary>
/// The ports of one PSID under RFC 7597 section 5.1: port = (A &lt;&lt; (16 - a)) | (PSID &lt;&lt; m) | j, with
/// A from 1 to 2^a - 1 (A = 0 excluded when a &gt; 0, which keeps the system ports out), j from 0 to 2^m - 1
/// and m = 16 - a - k. "Port-set order" (IndexOf, PortAt) is ascending port order, which the summary's
/// bitmaps rely on.
/// </summary>
public sealed class PortSet
{
    private PortRange[]? _ranges;

    public int PsidOffset { get; }
    public int PsidLength { get; }
    public int Psid { get; }
    /// <summary>The number of contiguous low bits (m) that vary inside one range.</summary>
    public int ContiguousBits => 16 - PsidOffset - PsidLength;
    public int Count { get; }

    private PortSet(int psidOffset, int psidLength, int psid)
    {
        PsidOffset = psidOffset;
        PsidLength = psidLength;
        Psid = psid;
        Count = BlockCount << ContiguousBits;
    }

    public static PortSet For(int psidOffset, int psidLength, int psid)
    {
        if (psidOffset is < 0 or > 15)
            throw new MapeException("psid-offset", $"{psidOffset} is outside 0..15");
        if (psidLength < 0 || psidOffset + psidLength > 16)
            throw new MapeException("psid-len", $"{psidLength} with PSID offset {psidOffset} leaves no port bits (offset + length must be at most 16)");
        if (psid < 0 || psid >= 1 << psidLength)
            throw new MapeException("psid", $"{psid} does not fit in {psidLength} bits");
        return new PortSet(psidOffset, psidLength, psid);
    }

    private int FirstA => PsidOffset > 0 ? 1 : 0;
    private int BlockCount => (1 << PsidOffset) - FirstA;
    private int ContiguousMask => (1 << ContiguousBits) - 1;

    /// <summary>The PSID a port belongs to under these parameters, or -1 for an excluded port (A = 0).</summary>
    public static int PsidOf(int psidOffset, int psidLength, int port)
    {
        if ((uint)port > 65535)
            return -1;
        if (psidOffset > 0 && port >> (16 - psidOffset) == 0)
            return -1;
        return (port >> (16 - psidOffset - psidLength)) & ((1 << psidLength) - 1);
    }

    public bool Contains(int port) => PsidOf(PsidOffset, PsidLength, port) == Psid;

    /// <summary>The port's position in port-set order, or -1 when the port is not in the set.</summary>
    public int IndexOf(int port)
    {
        if (!Contains(port))
            return -1;
        int a = PsidOffset == 0 ? 0 : port >> (16 - PsidOffset);
        return ((a - FirstA) << ContiguousBits) | (port & ContiguousMask);
    }

    public int PortAt(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the port set holds {Count} ports");
        int a = (index >> ContiguousBits) + FirstA;
        int high = PsidOffset == 0 ? 0 : a << (16 - PsidOffset);
        return high | (Psid << ContiguousBits) | (index & ContiguousMask);
    }

    /// <summary>The set as ascending ranges, adjacent blocks merged (with PSID length 0 they all touch).</summary>
    public IReadOnlyList<PortRange> Ranges => _ranges ??= BuildRanges();

    private PortRange[] BuildRanges()
    {
        var ranges = new List<PortRange>(BlockCount);
        for (int block = 0; block < BlockCount; block++)
        {
            int first = PortAt(block << ContiguousBits);
            int last = first + ContiguousMask;
            if (ranges.Count > 0 && ranges[^1].Last + 1 == first)
                ranges[^1] = ranges[^1] with { Last = last };
            else
                ranges.Add(new PortRange(first, last));
        }
        return [.. ranges];
    }

    public override string ToString() => $"PSID {Psid} ({PsidLength} bits, offset {PsidOffset}): {Count} ports";
}
