using System.Buffers.Binary;
using System.Formats.Cbor;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary.Cbor;
using CeAgent.Shared.Time;

namespace CeAgent.Shared.Summary;

/// <summary>
/// The summary payload in deterministic CBOR with small integer keys (docs/summary-format.md is the
/// contract), written with System.Formats.Cbor in canonical mode and read with <see cref="Cbor.StrictCborReader"/>
/// (the same rules, and the format's own). Counters that are zero are left
/// out, and a zero written explicitly is refused, so every message has exactly one encoding. Decoding is
/// strict and bounded (<see cref="SummaryLimits"/>); what the message means is checked by
/// <see cref="SummaryRules"/>.
/// </summary>
public static class SummaryCodec
{
    public static byte[] Encode(SummaryMessage m)
    {
        if (!SummaryLimits.IsValidCeId(m.CeId))
            throw new ArgumentException($"CE id '{m.CeId}' is not 1-{SummaryLimits.MaxCeIdLength} of [A-Za-z0-9._-]");
        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteStartMap(6 + (m.SpoolDropped != 0 ? 1 : 0) + (m.FilterKeyEpoch != 0 ? 1 : 0));
        Field(w, 1, SummaryMessage.CurrentVersion);
        w.WriteUInt32(2);
        w.WriteTextString(m.CeId);
        Field(w, 3, m.Seq);
        w.WriteUInt32(4);
        w.WriteByteString(m.PrevHash);
        w.WriteUInt32(5);
        WriteMape(w, m.Mape);
        w.WriteUInt32(6);
        w.WriteStartArray(m.Windows.Count);
        foreach (WindowSummary win in m.Windows)
            WriteWindow(w, win);
        w.WriteEndArray();
        OptionalField(w, 7, m.SpoolDropped);
        OptionalField(w, 8, m.FilterKeyEpoch);
        w.WriteEndMap();
        return w.Encode();
    }

    private static void Field(CborWriter w, uint key, ulong value)
    {
        w.WriteUInt32(key);
        w.WriteUInt64(value);
    }

    private static void OptionalField(CborWriter w, uint key, ulong value)
    {
        if (value != 0)
            Field(w, key, value);
    }

    private static void WriteMape(CborWriter w, MapeContext c)
    {
        Span<byte> v4 = stackalloc byte[4];
        Span<byte> v6 = stackalloc byte[16];
        w.WriteStartMap(9);
        BinaryPrimitives.WriteUInt32BigEndian(v4, c.Ipv4);
        w.WriteUInt32(1);
        w.WriteByteString(v4);
        Field(w, 2, (ulong)c.Ipv4PrefixLength);
        Field(w, 3, (ulong)c.Psid);
        BinaryPrimitives.WriteUInt128BigEndian(v6, c.Rule.Rule6.Bits);
        w.WriteUInt32(4);
        w.WriteByteString(v6);
        Field(w, 5, (ulong)c.Rule.Rule6.Length);
        BinaryPrimitives.WriteUInt32BigEndian(v4, c.Rule.Rule4.Bits);
        w.WriteUInt32(6);
        w.WriteByteString(v4);
        Field(w, 7, (ulong)c.Rule.Rule4.Length);
        Field(w, 8, (ulong)c.Rule.EaLength);
        Field(w, 9, (ulong)c.Rule.PsidOffset);
        w.WriteEndMap();
    }

    private static void WriteWindow(CborWriter w, WindowSummary s)
    {
        bool split = s.Parts != 1;
        w.WriteStartMap(5 + (s.Exhausted != 0 ? 1 : 0) + (s.LostEvents != 0 ? 1 : 0) + (s.Resyncs != 0 ? 1 : 0) + (split ? 1 : 0) + (s.Unrecorded != 0 ? 1 : 0));
        Field(w, 1, (ulong)s.StartUnix);
        Field(w, 2, s.LengthSeconds);
        w.WriteUInt32(3);
        w.WriteStartArray(3);
        w.WriteUInt32((uint)s.Clock.Source);
        w.WriteBoolean(s.Clock.Synchronized);
        w.WriteUInt32(s.Clock.MaxErrorMs);
        w.WriteEndArray();
        w.WriteUInt32(4);
        w.WriteStartArray(s.Protocols.Count);
        foreach (ProtoUsage p in s.Protocols)
        {
            w.WriteStartArray(4);
            w.WriteUInt32((uint)p.Proto);
            w.WriteByteString(p.PortBitmap);
            w.WriteUInt32(p.NewFlows);
            w.WriteUInt32(p.PeakPorts);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        OptionalField(w, 5, s.Exhausted);
        OptionalField(w, 6, s.LostEvents);
        OptionalField(w, 7, s.Resyncs);
        w.WriteUInt32(8);
        w.WriteStartArray(3);
        w.WriteUInt32((uint)s.Filter.P);
        w.WriteUInt32((uint)s.Filter.Count);
        w.WriteByteString(s.Filter.Data);
        w.WriteEndArray();
        if (split)
        {
            w.WriteUInt32(9);
            w.WriteStartArray(2);
            w.WriteUInt32((uint)s.Part);
            w.WriteUInt32((uint)s.Parts);
            w.WriteEndArray();
        }
        OptionalField(w, 10, s.Unrecorded);
        w.WriteEndMap();
    }

    /// <param name="readFilters">false only for messages this side decoded in full before (the resolver
    /// reads what the collector stored): every other check still runs, the filters' entries are read when
    /// a query needs them.</param>
    public static SummaryMessage Decode(ReadOnlyMemory<byte> payload, bool readFilters = true)
    {
        if (payload.Length > SummaryLimits.MaxMessageBytes)
            throw new SummaryFormatException($"payload of {payload.Length} bytes exceeds {SummaryLimits.MaxMessageBytes}");
        var r = new StrictCborReader(payload);
        int entries = r.Map(8, "message");
        if (entries < 6)
            throw new SummaryFormatException($"message has {entries} fields, needs at least 6");
        int key = 0;
        Expect(r, ref key, 1, "message");
        ulong version = r.UInt(ulong.MaxValue, "version");
        if (version != SummaryMessage.CurrentVersion)
            throw new SummaryFormatException($"unknown version {version} (this build reads version {SummaryMessage.CurrentVersion})");
        Expect(r, ref key, 2, "message");
        string ceId = r.Text(SummaryLimits.MaxCeIdLength, "CE id");
        if (!SummaryLimits.IsValidCeId(ceId))
            throw new SummaryFormatException($"CE id '{ceId}' has characters outside [A-Za-z0-9._-]");
        Expect(r, ref key, 3, "message");
        ulong seq = r.UInt(ulong.MaxValue, "sequence");
        Expect(r, ref key, 4, "message");
        byte[] prev = r.Bytes(32, "previous hash").ToArray();
        if (prev.Length is not (0 or 32))
            throw new SummaryFormatException($"previous hash has {prev.Length} bytes, not 0 or 32");
        Expect(r, ref key, 5, "message");
        MapeContext mape = ReadMape(r);
        Expect(r, ref key, 6, "message");
        int count = r.Array(SummaryLimits.MaxWindows, "windows");
        var windows = new WindowSummary[count];
        int bitmapBytes = (mape.Ports.Count + 7) / 8;
        for (int i = 0; i < count; i++)
            windows[i] = ReadWindow(r, bitmapBytes, i, readFilters);
        r.EndArray("windows");
        uint dropped = 0, epoch = 0;
        for (int optional = entries - 6; optional > 0; optional--)
        {
            int k = r.Key(ref key, "message");
            uint v = Counter(r, "message", k switch { 7 => "spool drops", 8 => "filter key epoch", _ => throw new SummaryFormatException($"message: unknown field {k}") });
            if (k == 7)
                dropped = v;
            else
                epoch = v;
        }
        r.EndMap("message");
        r.End("the message");
        var m = new SummaryMessage(ceId, seq, prev, mape, windows, dropped, epoch);
        SummaryRules.Check(m);
        return m;
    }

    private static MapeContext ReadMape(StrictCborReader r)
    {
        if (r.Map(9, "MAP-E context") != 9)
            throw new SummaryFormatException("MAP-E context must have 9 fields");
        int key = 0;
        Expect(r, ref key, 1, "MAP-E context");
        uint ipv4 = BinaryPrimitives.ReadUInt32BigEndian(Exactly(r.Bytes(4, "IPv4 address"), 4, "IPv4 address"));
        Expect(r, ref key, 2, "MAP-E context");
        int ipv4Len = (int)r.UInt(32, "IPv4 prefix length");
        Expect(r, ref key, 3, "MAP-E context");
        int psid = (int)r.UInt(65535, "PSID");
        Expect(r, ref key, 4, "MAP-E context");
        UInt128 rule6 = BinaryPrimitives.ReadUInt128BigEndian(Exactly(r.Bytes(16, "rule IPv6 prefix"), 16, "rule IPv6 prefix"));
        Expect(r, ref key, 5, "MAP-E context");
        int rule6Len = (int)r.UInt(128, "rule IPv6 prefix length");
        Expect(r, ref key, 6, "MAP-E context");
        uint rule4 = BinaryPrimitives.ReadUInt32BigEndian(Exactly(r.Bytes(4, "rule IPv4 prefix"), 4, "rule IPv4 prefix"));
        Expect(r, ref key, 7, "MAP-E context");
        int rule4Len = (int)r.UInt(32, "rule IPv4 prefix length");
        Expect(r, ref key, 8, "MAP-E context");
        int ea = (int)r.UInt(48, "EA-bits length");
        Expect(r, ref key, 9, "MAP-E context");
        int offset = (int)r.UInt(15, "PSID offset");
        r.EndMap("MAP-E context");
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

    /// <summary>Each window's name in errors, made once: not a string for every window of every message.</summary>
    private static readonly string[] WindowNames = [.. Enumerable.Range(0, SummaryLimits.MaxWindows).Select(i => $"window {i}")];

    private static WindowSummary ReadWindow(StrictCborReader r, int bitmapBytes, int index, bool readFilter)
    {
        string where = WindowNames[index];
        int entries = r.Map(10, where);
        if (entries < 5)
            throw new SummaryFormatException($"{where} has {entries} fields, needs at least 5");
        int key = 0;
        Expect(r, ref key, 1, where);
        long start = (long)r.UInt(long.MaxValue, where, "start");
        Expect(r, ref key, 2, where);
        uint length = (uint)r.UInt(SummaryLimits.MaxWindowSeconds, where, "length");
        if (!SummaryLimits.IsValidWindowLength(length))
            throw new SummaryFormatException($"{where} length: {length} s does not divide a day into whole windows (1-{SummaryLimits.MaxWindowSeconds} s)");
        if (start % length != 0)
            throw new SummaryFormatException($"{where} start: {start} is not aligned to the window length of {length} s");
        Expect(r, ref key, 3, where);
        if (r.Array(3, "clock") != 3)
            throw new SummaryFormatException($"{where}: clock must have 3 items");
        var source = (ClockSource)r.UInt((ulong)ClockSource.Rtc, "clock source");
        var clock = new ClockQuality(source, r.Bool("clock synchronised"), (uint)r.UInt(uint.MaxValue, "clock error"));
        r.EndArray("clock");
        Expect(r, ref key, 4, where);
        ProtoUsage[] protos = ReadProtocols(r, bitmapBytes, where);
        uint exhausted = 0, lost = 0, resyncs = 0, unrecorded = 0;
        int part = 0, parts = 1;
        AttributionFilter? filter = null;
        for (int remaining = entries - 4; remaining > 0; remaining--)
        {
            int k = r.Key(ref key, where);
            if (filter is null && k > 8)
                throw new SummaryFormatException($"{where}: field 8 (filter) is missing");
            switch (k)
            {
                case 5: exhausted = Counter(r, where, "exhaustion"); break;
                case 6: lost = Counter(r, where, "lost events"); break;
                case 7: resyncs = Counter(r, where, "resyncs"); break;
                case 8: filter = ReadFilter(r, where, length, readFilter); break;
                case 9: (part, parts) = ReadPart(r, where); break;
                case 10: unrecorded = Counter(r, where, "unrecorded intervals"); break;
                default: throw new SummaryFormatException($"{where}: unknown field {k}");
            }
        }
        r.EndMap(where);
        if (filter is null)
            throw new SummaryFormatException($"{where}: field 8 (filter) is missing");
        return new WindowSummary(start, length, clock, protos, exhausted, lost, resyncs, filter, part, parts, unrecorded);
    }

    private static ProtoUsage[] ReadProtocols(StrictCborReader r, int bitmapBytes, string where)
    {
        int protoCount = r.Array(3, "protocols");
        var protos = new ProtoUsage[protoCount];
        for (int i = 0; i < protoCount; i++)
        {
            if (r.Array(4, "protocol usage") != 4)
                throw new SummaryFormatException($"{where}: protocol usage must have 4 items");
            var proto = (Proto)r.UInt(255, "protocol");
            if (proto is not (Proto.Icmp or Proto.Tcp or Proto.Udp) || i > 0 && proto <= protos[i - 1].Proto)
                throw new SummaryFormatException($"{where}: protocol {(int)proto} is unknown, repeated or out of order");
            byte[] bitmap = Exactly(r.Bytes(bitmapBytes, "port bitmap"), bitmapBytes, "port bitmap").ToArray();
            protos[i] = new ProtoUsage(proto, bitmap, (uint)r.UInt(uint.MaxValue, "new flows"), (uint)r.UInt(65536, "peak ports"));
            r.EndArray("protocol usage");
        }
        r.EndArray("protocols");
        return protos;
    }

    private static AttributionFilter ReadFilter(StrictCborReader r, string where, uint length, bool validate)
    {
        if (r.Array(3, "filter") != 3)
            throw new SummaryFormatException($"{where}: filter must have 3 items");
        int p = (int)r.UInt(GolombSet.MaxP, "filter parameter P");
        int n = (int)r.UInt(SummaryLimits.MaxFilterKeys, "filter key count");
        byte[] data = r.Bytes(SummaryLimits.MaxFilterBytes, "filter data").ToArray();
        r.EndArray("filter");
        var filter = new AttributionFilter(p, n, data);
        try
        {
            if (validate)
                GolombSet.Validate(filter, length);
        }
        catch (SummaryFormatException e)
        {
            throw new SummaryFormatException($"{where}: {e.Message}");
        }
        return filter;
    }

    private static (int Part, int Parts) ReadPart(StrictCborReader r, string where)
    {
        if (r.Array(2, "part") != 2)
            throw new SummaryFormatException($"{where}: part must be [index, count]");
        int part = (int)r.UInt(SummaryLimits.MaxParts, where, "part index");
        int parts = (int)r.UInt(SummaryLimits.MaxParts, where, "part count");
        r.EndArray("part");
        if (parts < 2 || part >= parts)
            throw new SummaryFormatException($"{where}: part {part} of {parts} (a split window has 2-{SummaryLimits.MaxParts} parts, a whole one leaves the field out)");
        return (part, parts);
    }

    private static uint Counter(StrictCborReader r, string where, string what)
    {
        uint v = (uint)r.UInt(uint.MaxValue, where, what);
        return v != 0 ? v : throw new SummaryFormatException($"{where}: {what} written as 0 (zero counters are left out)");
    }

    private static void Expect(StrictCborReader r, ref int key, int expected, string where)
    {
        int k = r.Key(ref key, where);
        if (k != expected)
            throw new SummaryFormatException($"{where}: expected field {expected}, found {k}");
    }

    private static ReadOnlySpan<byte> Exactly(ReadOnlyMemory<byte> s, int n, string what) =>
        s.Length == n ? s.Span : throw new SummaryFormatException($"{what} has {s.Length} bytes, expected {n}");
}

/// <summary>A payload that is valid CBOR but not a valid summary.</summary>
public sealed class SummaryFormatException(string message) : FormatException(message);
