using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using CeAgent.Shared.Summary;

namespace CeAgent.Aggregation;

/// <summary>A destination interval still open at a window close: where, and since when (whole UTC seconds,
/// rounded down so a restored interval is never narrower).</summary>
public readonly record struct OpenInterval(FlowKey Destination, long StartUnix);

/// <summary>What a crash would otherwise lose beyond the open window: the start of the open window and the
/// destination intervals open across it. <paramref name="Dropped"/> counts intervals left out because the
/// snapshot reached its size bound.</summary>
public sealed record OpenIntervalSnapshot(long WindowStartUnix, uint WindowSeconds, IReadOnlyList<OpenInterval> Intervals, uint Dropped);

/// <summary>
/// The snapshot's bytes: version (1), window length (uint16), window start (int64 Unix seconds), dropped
/// (uint32), count (uint32), then per interval: protocol, address length (4 or 16), address, port (uint16),
/// age (uint16: seconds from the interval's start to the window start, at most
/// <see cref="SummaryLimits.MaxIntervalSeconds"/>). Little-endian, one encoding only: the decoder refuses
/// anything else, naming what is wrong.
/// </summary>
public static class OpenIntervalCodec
{
    public const byte Version = 1;
    private const int HeaderSize = 19;

    /// <summary>Bound of the encoded snapshot: about 6,500 IPv4 intervals, so a flood costs flash at most
    /// this a window; what does not fit is counted as dropped (the restored window is then incomplete).</summary>
    public const int MaxBytes = 64 * 1024;

    public static byte[] Encode(OpenIntervalSnapshot s, int maxBytes = MaxBytes)
    {
        var entries = new List<byte[]>(s.Intervals.Count);
        int size = HeaderSize;
        uint dropped = s.Dropped;
        foreach (OpenInterval i in s.Intervals)
        {
            byte[] e = Entry(i, s.WindowStartUnix);
            if (size + e.Length > maxBytes)
            {
                dropped++;
                continue;
            }
            entries.Add(e);
            size += e.Length;
        }
        var buf = new byte[size];
        buf[0] = Version;
        BinaryPrimitives.WriteUInt16LittleEndian(buf.AsSpan(1), checked((ushort)s.WindowSeconds));
        BinaryPrimitives.WriteInt64LittleEndian(buf.AsSpan(3), s.WindowStartUnix);
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(11), dropped);
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(15), (uint)entries.Count);
        int at = HeaderSize;
        foreach (byte[] e in entries)
        {
            e.CopyTo(buf, at);
            at += e.Length;
        }
        return buf;
    }

    private static byte[] Entry(OpenInterval i, long windowStart)
    {
        byte[] address = i.Destination.Destination.GetAddressBytes();
        var e = new byte[2 + address.Length + 4];
        e[0] = (byte)i.Destination.Proto;
        e[1] = (byte)address.Length;
        address.CopyTo(e, 2);
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(2 + address.Length), checked((ushort)i.Destination.Port));
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(4 + address.Length), checked((ushort)(windowStart - i.StartUnix)));
        return e;
    }

    /// <exception cref="FormatException">The bytes are not a snapshot this version wrote; the message names the part.</exception>
    public static OpenIntervalSnapshot Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize)
            throw new FormatException($"{data.Length} bytes, shorter than the {HeaderSize}-byte header");
        if (data[0] != Version)
            throw new FormatException($"version {data[0]}, this agent reads version {Version}");
        uint window = BinaryPrimitives.ReadUInt16LittleEndian(data[1..]);
        if (window is < 1 or > SummaryLimits.MaxWindowSeconds || 86400 % window != 0)
            throw new FormatException($"window length {window} s does not divide a day within 1..{SummaryLimits.MaxWindowSeconds} s");
        long start = BinaryPrimitives.ReadInt64LittleEndian(data[3..]);
        if (start % window != 0 || start is < 0 or > 253402300799) // year 9999: Rfc3339 must format it
            throw new FormatException($"window start {start} is not a {window}-s boundary in years 1970-9999");
        uint dropped = BinaryPrimitives.ReadUInt32LittleEndian(data[11..]);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(data[15..]);
        if (count > (data.Length - HeaderSize) / 8)
            throw new FormatException($"{count} intervals claimed in {data.Length} bytes");
        long maxAge = SummaryLimits.MaxIntervalSeconds(window);
        var intervals = new List<OpenInterval>((int)count);
        var seen = new HashSet<FlowKey>();
        int at = HeaderSize;
        for (int n = 0; n < count; n++)
        {
            if (data.Length - at < 2)
                throw new FormatException($"interval {n}: truncated");
            byte proto = data[at];
            if (proto is not ((byte)Proto.Icmp or (byte)Proto.Tcp or (byte)Proto.Udp))
                throw new FormatException($"interval {n}: protocol {proto} is not ICMP (1), TCP (6) or UDP (17)");
            int len = data[at + 1];
            if (len is not (4 or 16))
                throw new FormatException($"interval {n}: address length {len}, not 4 or 16");
            if (data.Length - at < 6 + len)
                throw new FormatException($"interval {n}: truncated");
            var address = new IPAddress(data.Slice(at + 2, len));
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6)
                throw new FormatException($"interval {n}: IPv4-mapped address {address} (an IPv4 destination is written in 4 bytes)");
            int port = BinaryPrimitives.ReadUInt16LittleEndian(data[(at + 2 + len)..]);
            int age = BinaryPrimitives.ReadUInt16LittleEndian(data[(at + 4 + len)..]);
            if (age > maxAge)
                throw new FormatException($"interval {n}: open {age} s before the window, longer than the {maxAge}-s cap");
            var key = new FlowKey(address, port, (Proto)proto);
            if (!seen.Add(key))
                throw new FormatException($"interval {n}: {address} port {port} listed twice");
            intervals.Add(new OpenInterval(key, start - age));
            at += 6 + len;
        }
        if (at != data.Length)
            throw new FormatException($"{data.Length - at} bytes after the last interval");
        return new OpenIntervalSnapshot(start, window, intervals, dropped);
    }
}

/// <summary>Snapshot and restore of the open destination intervals, so a crash or power cut loses at most the
/// window that was open (docs/robustness.md).</summary>
public sealed partial class WindowAggregator
{
    /// <summary>Start of the open window (UTC ms), or long.MinValue before the first event or restore.</summary>
    public long WindowStartMs => _windowStartMs;

    /// <summary>The intervals open across the start of the open window. One that began inside the open window
    /// is left out: if the agent dies now, that window is declared incomplete on restart anyway.</summary>
    public OpenIntervalSnapshot OpenIntervals()
    {
        var list = new List<OpenInterval>(_destinations.Count);
        foreach (var (destination, a) in _destinations)
            if (a.Flows > 0 && a.StartMs <= _windowStartMs)
                list.Add(new OpenInterval(destination.ToFlowKey(), a.StartMs / 1000));
        return new OpenIntervalSnapshot(_windowStartMs / 1000, (uint)WindowSeconds, list, 0);
    }

    /// <summary>
    /// Continues from a snapshot written by the run that crashed, before any event. The window that was open
    /// then is reopened and will say it is incomplete (its closed intervals died with the process: at least
    /// one interval unrecorded, plus those the snapshot dropped), so the resolver answers unknown rather than
    /// ruling this CE out. The restored intervals wait for the start-up dump: a destination whose flows are
    /// still alive keeps its interval's start; one whose flows are gone is ended by <see cref="EndRestored"/>
    /// at the start of the reopened window, the last moment the agent knew it open.
    /// </summary>
    /// <param name="closedThroughUnix">Start of the newest window already closed (signed or journaled), or
    /// long.MinValue: a snapshot a step behind the journal (the power went between the two writes) reopens
    /// the window after it, never one already closed.</param>
    /// <exception cref="FormatException">The snapshot does not fit this agent or its clock; the message says why.</exception>
    public void Restore(OpenIntervalSnapshot s, long nowMs, long closedThroughUnix)
    {
        if (_windowStartMs != long.MinValue)
            throw new InvalidOperationException("restore comes before the first event");
        if (s.WindowSeconds != WindowSeconds)
            throw new FormatException($"written with {s.WindowSeconds}-s windows, the agent now uses {WindowSeconds}-s windows");
        long start = closedThroughUnix == long.MinValue ? s.WindowStartUnix : Math.Max(s.WindowStartUnix, closedThroughUnix + WindowSeconds);
        if (start * 1000 > nowMs + _windowMs)
            throw new FormatException($"its window starts at {start}, later than the clock ({nowMs / 1000}): the clock went back");
        _windowStartMs = start * 1000;
        _windowClock = _clock;
        _unrecorded = s.Dropped == uint.MaxValue ? uint.MaxValue : s.Dropped + 1; // a forged count must not wrap to "complete"
        long oldest = _windowStartMs - SummaryLimits.MaxIntervalSeconds((uint)WindowSeconds) * 1000L;
        foreach (OpenInterval i in s.Intervals)
        {
            if (i.Destination.Destination.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                throw new FormatException($"{i.Destination.Destination}: the CE tracks IPv4 destinations only");
            _destinations[i.Destination] = new Activity { Flows = 0, StartMs = Math.Max(i.StartUnix * 1000, oldest) };
        }
    }

    /// <summary>Ends the restored intervals that no flow re-opened, at the start of the reopened window.
    /// Called after the start-up dump, and by the window's close in case an event moved past it first.</summary>
    public int EndRestored()
    {
        int ended = 0;
        foreach (var (destination, a) in _destinations)
            if (a.Flows == 0)
            {
                _destinations.Remove(destination); // removing the current entry leaves the enumeration valid
                End(destination, a.StartMs, _windowStartMs);
                ended++;
            }
        return ended;
    }
}
