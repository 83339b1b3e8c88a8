using System.Buffers.Binary;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary.Cbor;
using CeAgent.Shared.Time;

namespace CeAgent.Shared.Summary;

/// <summary>
/// The summary payload in deterministic CBOR with small integer keys (docs/summary-format.md is the
/// contract). Counters that are zero are left out, and a zero written explicitly is refused, so every
/// message has exactly one encoding. Decoding is strict and bounded (<see cref="SummaryLimits"/>).
/// </summary>
public static class SummaryCodec
{
    public static byte[] Encode(SummaryMessage m)
    {
        if (!SummaryLimits.IsValidCeId(m.CeId))
            throw new ArgumentException($"CE id '{m.CeId}' is not 1-{SummaryLimits.MaxCeIdLength} of [A-Za-z0-9._-]");
        var w = new CborWriter();
        w.Map(6 + (m.SpoolDropped != 0 ? 1 : 0) + (m.FilterKeyEpoch != 0 ? 1 : 0));
        w.UInt(1).UInt(SummaryMessage.CurrentVersion);
        w.UInt(2).Text(m.CeId);
        w.UInt(3).UInt(m.Seq);
        w.UInt(4).Bytes(m.PrevHash);
        w.UInt(5);
        WriteMape(w, m.Mape);
        w.UInt(6).Array(m.Windows.Count);
        foreach (WindowSummary win in m.Windows)
            WriteWindow(w, win);
        if (m.SpoolDropped != 0)
            w.UInt(7).UInt(m.SpoolDropped);
        if (m.FilterKeyEpoch != 0)
            w.UInt(8).UInt(m.FilterKeyEpoch);
        return w.ToArray();
    }

    private static void WriteMape(CborWriter w, MapeContext c)
    {
        Span<byte> v4 = stackalloc byte[4];
        Span<byte> v6 = stackalloc byte[16];
        w.Map(9);
        BinaryPrimitives.WriteUInt32BigEndian(v4, c.Ipv4);
        w.UInt(1).Bytes(v4);
        w.UInt(2).UInt((ulong)c.Ipv4PrefixLength);
        w.UInt(3).UInt((ulong)c.Psid);
        BinaryPrimitives.WriteUInt128BigEndian(v6, c.Rule.Rule6.Bits);
        w.UInt(4).Bytes(v6);
        w.UInt(5).UInt((ulong)c.Rule.Rule6.Length);
        BinaryPrimitives.WriteUInt32BigEndian(v4, c.Rule.Rule4.Bits);
        w.UInt(6).Bytes(v4);
        w.UInt(7).UInt((ulong)c.Rule.Rule4.Length);
        w.UInt(8).UInt((ulong)c.Rule.EaLength);
        w.UInt(9).UInt((ulong)c.Rule.PsidOffset);
    }

    private static void WriteWindow(CborWriter w, WindowSummary s)
    {
        int n = 5 + (s.Exhausted != 0 ? 1 : 0) + (s.LostEvents != 0 ? 1 : 0) + (s.Resyncs != 0 ? 1 : 0);
        w.Map(n);
        w.UInt(1).UInt((ulong)s.StartUnix);
        w.UInt(2).UInt(s.LengthSeconds);
        w.UInt(3).Array(3).UInt((ulong)s.Clock.Source).Bool(s.Clock.Synchronized).UInt(s.Clock.MaxErrorMs);
        w.UInt(4).Array(s.Protocols.Count);
        foreach (ProtoUsage p in s.Protocols)
            w.Array(4).UInt((ulong)p.Proto).Bytes(p.PortBitmap).UInt(p.NewFlows).UInt(p.PeakPorts);
        if (s.Exhausted != 0)
            w.UInt(5).UInt(s.Exhausted);
        if (s.LostEvents != 0)
            w.UInt(6).UInt(s.LostEvents);
        if (s.Resyncs != 0)
            w.UInt(7).UInt(s.Resyncs);
        w.UInt(8).Array(3).UInt((ulong)s.Filter.P).UInt((ulong)s.Filter.Count).Bytes(s.Filter.Data);
    }

    /// <param name="readFilters">false only for messages this side decoded in full before (the resolver
    /// reads what the collector stored): every other check still runs, the filters' entries are read when
    /// a query needs them.</param>
    public static SummaryMessage Decode(ReadOnlySpan<byte> payload, bool readFilters = true)
    {
        if (payload.Length > SummaryLimits.MaxMessageBytes)
            throw new SummaryFormatException($"payload of {payload.Length} bytes exceeds {SummaryLimits.MaxMessageBytes}");
        var r = new CborReader(payload);
        int entries = r.ReadMap(8, "message");
        if (entries < 6)
            throw new SummaryFormatException($"message has {entries} fields, needs at least 6");
        int key = 0;
        Expect(ref r, ref key, 1, "message");
        ulong version = r.ReadUInt();
        if (version != SummaryMessage.CurrentVersion)
            throw new SummaryFormatException($"unknown version {version} (this build reads version {SummaryMessage.CurrentVersion})");
        Expect(ref r, ref key, 2, "message");
        string ceId = r.ReadText(SummaryLimits.MaxCeIdLength, "CE id");
        if (!SummaryLimits.IsValidCeId(ceId))
            throw new SummaryFormatException($"CE id '{ceId}' has characters outside [A-Za-z0-9._-]");
        Expect(ref r, ref key, 3, "message");
        ulong seq = r.ReadUInt();
        Expect(ref r, ref key, 4, "message");
        byte[] prev = r.ReadBytes(32, "previous hash").ToArray();
        if (prev.Length is not (0 or 32))
            throw new SummaryFormatException($"previous hash has {prev.Length} bytes, not 0 or 32");
        Expect(ref r, ref key, 5, "message");
        MapeContext mape = ReadMape(ref r);
        Expect(ref r, ref key, 6, "message");
        int count = r.ReadArray(SummaryLimits.MaxWindows, "windows");
        var windows = new WindowSummary[count];
        int bitmapBytes = (mape.Ports.Count + 7) / 8;
        for (int i = 0; i < count; i++)
            windows[i] = ReadWindow(ref r, bitmapBytes, i, readFilters);
        uint dropped = 0, epoch = 0;
        for (int left = entries - 6; left > 0; left--)
        {
            int k = r.ReadKey(ref key, "message");
            uint v = (uint)r.ReadUInt(uint.MaxValue, "message field");
            if (v == 0)
                throw new SummaryFormatException($"message: field {k} written as 0 (zeros are left out)");
            _ = k switch
            {
                7 => dropped = v,
                8 => epoch = v,
                _ => throw new SummaryFormatException($"message: unknown field {k}"),
            };
        }
        r.ExpectEnd("the message");
        return new SummaryMessage(ceId, seq, prev, mape, windows, dropped, epoch);
    }

    private static MapeContext ReadMape(ref CborReader r)
    {
        if (r.ReadMap(9, "MAP-E context") != 9)
            throw new SummaryFormatException("MAP-E context must have 9 fields");
        int key = 0;
        Expect(ref r, ref key, 1, "MAP-E context");
        uint ipv4 = BinaryPrimitives.ReadUInt32BigEndian(Exactly(r.ReadBytes(4, "IPv4 address"), 4, "IPv4 address"));
        Expect(ref r, ref key, 2, "MAP-E context");
        int ipv4Len = (int)r.ReadUInt(32, "IPv4 prefix length");
        Expect(ref r, ref key, 3, "MAP-E context");
        int psid = (int)r.ReadUInt(65535, "PSID");
        Expect(ref r, ref key, 4, "MAP-E context");
        UInt128 rule6 = BinaryPrimitives.ReadUInt128BigEndian(Exactly(r.ReadBytes(16, "rule IPv6 prefix"), 16, "rule IPv6 prefix"));
        Expect(ref r, ref key, 5, "MAP-E context");
        int rule6Len = (int)r.ReadUInt(128, "rule IPv6 prefix length");
        Expect(ref r, ref key, 6, "MAP-E context");
        uint rule4 = BinaryPrimitives.ReadUInt32BigEndian(Exactly(r.ReadBytes(4, "rule IPv4 prefix"), 4, "rule IPv4 prefix"));
        Expect(ref r, ref key, 7, "MAP-E context");
        int rule4Len = (int)r.ReadUInt(32, "rule IPv4 prefix length");
        Expect(ref r, ref key, 8, "MAP-E context");
        int ea = (int)r.ReadUInt(48, "EA-bits length");
        Expect(ref r, ref key, 9, "MAP-E context");
        int offset = (int)r.ReadUInt(15, "PSID offset");
        try
        {
            if ((rule6 & ~Ipv6Prefix.Mask(rule6Len)) != 0 || (rule4 & ~Ipv4Prefix.Mask(rule4Len)) != 0)
                throw new MapeException("rule", "prefix has bits set after its length");
            var rule = new MapRule(new Ipv6Prefix(rule6, rule6Len), new Ipv4Prefix(rule4, rule4Len), ea, offset);
            if (ipv4Len != rule.Ipv4PrefixLength || !rule.Rule4.Contains(ipv4) || psid >= 1 << rule.PsidLength)
                throw new MapeException("context", "IPv4 address, prefix length or PSID does not fit the rule");
            return new MapeContext(ipv4, ipv4Len, psid, rule);
        }
        catch (MapeException e)
        {
            throw new SummaryFormatException($"MAP-E context is inconsistent: {e.Message}");
        }
    }

    private static WindowSummary ReadWindow(ref CborReader r, int bitmapBytes, int index, bool readFilter)
    {
        string where = $"window {index}";
        int entries = r.ReadMap(8, where);
        int key = 0;
        Expect(ref r, ref key, 1, where);
        long start = (long)r.ReadUInt(long.MaxValue, "window start");
        Expect(ref r, ref key, 2, where);
        uint length = (uint)r.ReadUInt(SummaryLimits.MaxWindowSeconds, "window length");
        if (length == 0)
            throw new SummaryFormatException($"{where}: length 0");
        Expect(ref r, ref key, 3, where);
        if (r.ReadArray(3, "clock") != 3)
            throw new SummaryFormatException($"{where}: clock must have 3 items");
        var source = (ClockSource)r.ReadUInt((ulong)ClockSource.Rtc, "clock source");
        var clock = new ClockQuality(source, r.ReadBool(), (uint)r.ReadUInt(uint.MaxValue, "clock error"));
        Expect(ref r, ref key, 4, where);
        int protoCount = r.ReadArray(3, "protocols");
        var protos = new ProtoUsage[protoCount];
        for (int i = 0; i < protoCount; i++)
        {
            if (r.ReadArray(4, "protocol usage") != 4)
                throw new SummaryFormatException($"{where}: protocol usage must have 4 items");
            var proto = (Proto)r.ReadUInt(255, "protocol");
            if (proto is not (Proto.Icmp or Proto.Tcp or Proto.Udp) || i > 0 && proto <= protos[i - 1].Proto)
                throw new SummaryFormatException($"{where}: protocol {(int)proto} is unknown, repeated or out of order");
            byte[] bitmap = Exactly(r.ReadBytes(bitmapBytes, "port bitmap"), bitmapBytes, "port bitmap").ToArray();
            protos[i] = new ProtoUsage(proto, bitmap, (uint)r.ReadUInt(uint.MaxValue, "new flows"), (uint)r.ReadUInt(65536, "peak ports"));
        }
        uint exhausted = 0, lost = 0, resyncs = 0;
        int optional = entries - 5;
        while (optional-- > 0)
        {
            int k = r.ReadKey(ref key, where);
            uint v = (uint)r.ReadUInt(uint.MaxValue, $"{where} counter {k}");
            if (v == 0)
                throw new SummaryFormatException($"{where}: counter {k} is written as 0 (zero counters are left out)");
            switch (k)
            {
                case 5: exhausted = v; break;
                case 6: lost = v; break;
                case 7: resyncs = v; break;
                default: throw new SummaryFormatException($"{where}: unknown field {k}");
            }
        }
        Expect(ref r, ref key, 8, where);
        if (r.ReadArray(3, "filter") != 3)
            throw new SummaryFormatException($"{where}: filter must have 3 items");
        int p = (int)r.ReadUInt(GolombSet.MaxP, "filter parameter P");
        int n = (int)r.ReadUInt(SummaryLimits.MaxFilterKeys, "filter key count");
        byte[] data = r.ReadBytes(SummaryLimits.MaxFilterBytes, "filter data").ToArray();
        var filter = new AttributionFilter(p, n, data);
        try
        {
            if (readFilter)
                GolombSet.Validate(filter, length);
        }
        catch (SummaryFormatException e)
        {
            throw new SummaryFormatException($"{where}: {e.Message}");
        }
        return new WindowSummary(start, length, clock, protos, exhausted, lost, resyncs, filter);
    }

    private static uint OptionalCounter(ref CborReader r, ref int key, int expected, string where, string what)
    {
        Expect(ref r, ref key, expected, where);
        uint v = (uint)r.ReadUInt(uint.MaxValue, what);
        if (v == 0)
            throw new SummaryFormatException($"{where}: {what} written as 0 (zero counters are left out)");
        return v;
    }

    private static void Expect(ref CborReader r, ref int key, int expected, string where)
    {
        int k = r.ReadKey(ref key, where);
        if (k != expected)
            throw new SummaryFormatException($"{where}: expected field {expected}, found {k}");
    }

    private static ReadOnlySpan<byte> Exactly(ReadOnlySpan<byte> s, int n, string what) =>
        s.Length == n ? s : throw new SummaryFormatException($"{what} has {s.Length} bytes, expected {n}");
}

/// <summary>A payload that is valid CBOR but not a valid summary.</summary>
public sealed class SummaryFormatException(string message) : FormatException(message);
