using System.Security.Cryptography;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Summary.Cbor;

namespace CeAgent.Shared.Tests.Summary;

public class SummaryCodecTests
{
    [Fact]
    public void Round_trip_is_byte_exact()
    {
        SummaryMessage m = Samples.Message(dropped: 3);
        byte[] a = SummaryCodec.Encode(m);
        SummaryMessage back = SummaryCodec.Decode(a);
        Assert.Equal(a, SummaryCodec.Encode(back));
        Assert.Equal("ce-0001", back.CeId);
        Assert.Equal(7UL, back.Seq);
        Assert.Equal(3U, back.SpoolDropped);
        Assert.Equal(0x34, back.Mape.Psid);
        Assert.Equal("192.0.2.0/24", back.Mape.Rule.Rule4.ToString());
        WindowSummary w = Assert.Single(back.Windows);
        Assert.Equal(1_795_000_020, w.StartUnix);
        Assert.Equal(2U, w.LostEvents);
        Assert.Equal(0U, w.Exhausted);
        Assert.Equal(Proto.Tcp, w.Protocols[0].Proto);
        Assert.Equal(0b1010_0000, w.Protocols[0].PortBitmap[0]);
        Assert.All(Samples.Intervals, d => Assert.Contains(new Listed(d.StartUnix, d.EndUnix),
            GolombSet.Lookup(w.Filter, Samples.FilterKey, w.StartUnix, w.LengthSeconds, d.Destination)));
    }

    [Fact]
    public void A_filter_whose_entries_are_garbage_is_refused_unless_the_caller_decoded_it_before()
    {
        SummaryMessage m = Samples.Message();
        WindowSummary w = m.Windows[0];
        // One entry announced, a gap of more ones than its range can hold.
        var bad = m with { Windows = [w with { Filter = new AttributionFilter(w.Filter.P, 1, [0xFF, 0xFF, 0xFF]) }] };
        byte[] a = SummaryCodec.Encode(bad);
        Assert.Contains("window 0: filter data holds a gap larger than its range",
            Assert.Throws<SummaryFormatException>(() => SummaryCodec.Decode(a)).Message);
        // The resolver's re-decode of a stored message skips the entries; a lookup still reads them strictly.
        WindowSummary back = SummaryCodec.Decode(a, readFilters: false).Windows[0];
        Assert.Throws<SummaryFormatException>(() =>
            GolombSet.Lookup(back.Filter, Samples.FilterKey, back.StartUnix, back.LengthSeconds, Samples.Destinations[0]));
    }

    [Fact]
    public void Unknown_version_is_refused_by_name()
    {
        byte[] a = SummaryCodec.Encode(Samples.Message());
        Assert.Equal(0x03, a[2]); // map(6), key 1, version 3
        a[2] = 0x02;
        Assert.Contains("unknown version 2", Assert.Throws<SummaryFormatException>(() => SummaryCodec.Decode(a)).Message);
    }

    [Fact]
    public void Explicit_zero_counters_and_trailing_bytes_are_not_canonical()
    {
        byte[] a = SummaryCodec.Encode(Samples.Message(dropped: 1));
        Assert.Equal(0x01, a[^1]); // key 7 = 1 is the last item
        a[^1] = 0x00;
        Assert.Contains("written as 0", Assert.Throws<SummaryFormatException>(() => SummaryCodec.Decode(a)).Message);
        byte[] b = [.. SummaryCodec.Encode(Samples.Message()), 0x00];
        Assert.Contains("trailing", Assert.Throws<CborException>(() => SummaryCodec.Decode(b)).Message);
    }

    [Fact]
    public void Oversize_payload_is_refused_before_parsing()
    {
        var e = Assert.Throws<SummaryFormatException>(() => SummaryCodec.Decode(new byte[SummaryLimits.MaxMessageBytes + 1]));
        Assert.Contains("exceeds", e.Message);
    }

    [Fact]
    public void Bad_ce_ids_are_refused_both_ways()
    {
        Assert.Throws<ArgumentException>(() => SummaryCodec.Encode(Samples.Message() with { CeId = "ce/other" }));
        Assert.Throws<ArgumentException>(() => SummaryCodec.Encode(Samples.Message() with { CeId = "" }));
    }

    [Fact]
    public void Bitmap_must_match_the_port_set()
    {
        SummaryMessage m = Samples.Message();
        WindowSummary w = m.Windows[0];
        var shortBitmap = w with { Protocols = [new ProtoUsage(Proto.Tcp, new byte[29], 1, 1)] };
        byte[] a = SummaryCodec.Encode(m with { Windows = [shortBitmap] });
        Assert.Contains("port bitmap has 29 bytes, expected 30", Assert.Throws<SummaryFormatException>(() => SummaryCodec.Decode(a)).Message);
    }

    [Fact]
    public void Several_windows_share_one_signature()
    {
        SummaryMessage one = Samples.Message();
        var windows = Enumerable.Range(0, 10).Select(i => one.Windows[0] with { StartUnix = one.Windows[0].StartUnix + 60 * i }).ToArray();
        byte[] ten = SummaryCodec.Encode(one with { Windows = windows });
        Assert.Equal(10, SummaryCodec.Decode(ten).Windows.Count);
        Assert.True(ten.Length < 10 * SummaryCodec.Encode(one).Length);
    }

    /// <summary>Random mutations of a valid signed message: every outcome is a clean rejection or a valid
    /// message, never another exception and never a hang (bounded sizes, deterministic seed).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)] // with the fields version 3 added: parts, unrecorded intervals, filter key epoch
    public void Mutated_messages_never_crash_the_decoder(bool split)
    {
        using ECDsa key = Samples.TestKey();
        SummaryMessage m0 = Samples.Message(dropped: 2);
        WindowSummary w = m0.Windows[0];
        if (split)
            m0 = m0 with { FilterKeyEpoch = 3, Windows = [w with { Parts = 2, Unrecorded = 9 }, w with { Part = 1, Parts = 2, Protocols = [], LostEvents = 0, Resyncs = 0 }] };
        byte[] signed = CoseSign1.Sign(SummaryCodec.Encode(m0), "ce-0001", key);
        var rng = new Random(20261125);
        int rejected = 0, accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] m = Samples.Mutate(signed, rng);
            try
            {
                CoseMessage cose = CoseSign1.Parse(m);
                SummaryMessage s = SummaryCodec.Decode(cose.Payload);
                if (CoseSign1.Verify(cose, key))
                    accepted++;
                else
                    rejected++;
            }
            catch (FormatException)
            {
                rejected++;
            }
        }
        Assert.Equal(20_000, rejected + accepted);
        Assert.True(rejected > 19_000, $"only {rejected} of 20000 mutations were rejected");
    }
}
