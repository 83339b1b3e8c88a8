using System.Security.Cryptography;
using CeAgent.Shared.Summary;

namespace CeAgent.Shared.Tests.Summary;

/// <summary>Validly signed messages that the format forbids: the decoder refuses each, naming the field,
/// and the agent's signer refuses to produce them.</summary>
public class SummaryRulesTests
{
    private static readonly SummaryMessage M = Samples.Message();
    private static readonly WindowSummary W = M.Windows[0];

    public static TheoryData<string, SummaryMessage, string> Forbidden => new()
    {
        { "no window", M with { Windows = [] }, "windows: a message carries 1-64 windows, this one 0" },
        { "sequence 0", M with { Seq = 0 }, "sequence: 0 is outside" },
        { "sequence 2^64-1", M with { Seq = ulong.MaxValue }, "sequence: 18446744073709551615 is outside 1..9223372036854775807" },
        { "sequence 2^63", M with { Seq = (ulong)long.MaxValue + 1 }, "sequence: 9223372036854775808 is outside" },
        { "a 7-s window", M with { Windows = [W with { StartUnix = 1_795_000_020 - 1_795_000_020 % 7, LengthSeconds = 7 }] }, "window 0 length: 7 s does not divide a day" },
        { "unaligned", M with { Windows = [W with { StartUnix = W.StartUnix + 1 }] }, "window 0 start: 1795000021 is not aligned to the window length of 60 s" },
        { "descending", M with { Windows = [W with { StartUnix = W.StartUnix + 60 }, W] }, "window 1 start: 1795000020 is before the end of window 0" },
        { "repeated", M with { Windows = [W, W] }, "window 1 start: repeats window 0" },
        { "overlapping lengths", M with { Windows = [W with { LengthSeconds = 120, StartUnix = 1_795_000_080, Filter = AttributionFilter.Empty(17) }, W with { StartUnix = 1_795_000_140 }] }, "window 1 start: 1795000140 is before the end of window 0" },
        { "part out of range", M with { Windows = [W with { Part = 2, Parts = 2 }] }, "window 0: part 2 of 2" },
        { "a later part with protocols", M with { Windows = [W with { Parts = 2 }, W with { Part = 1, Parts = 2, LostEvents = 0, Resyncs = 0 }] }, "window 1 part: part 1 of 2 carries protocols or counters" },
        { "parts in reverse", M with { Windows = [W with { Part = 1, Parts = 2, Protocols = [], LostEvents = 0, Resyncs = 0 }, W with { Parts = 2 }] }, "window 1 start: repeats window 0" },
        { "parts of different counts", M with { Windows = [W with { Parts = 2 }, W with { Part = 1, Parts = 3, Protocols = [], LostEvents = 0, Resyncs = 0 }] }, "window 1 start: repeats window 0" },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void A_validly_signed_message_the_format_forbids_is_refused_by_name(string name, SummaryMessage bad, string error)
    {
        using ECDsa key = Samples.TestKey();
        CoseMessage cose = CoseSign1.Parse(CoseSign1.Sign(SummaryCodec.Encode(bad), bad.CeId, key));
        Assert.True(CoseSign1.Verify(cose, key), name);
        Assert.Contains(error, Assert.Throws<SummaryFormatException>(() => SummaryCodec.Decode(cose.Payload)).Message);
        Assert.Throws<SummaryFormatException>(() => SummaryRules.Check(bad));
    }

    [Fact]
    public void The_signer_refuses_to_sign_what_a_collector_would_refuse()
    {
        using ECDsa key = Samples.TestKey();
        var chain = new ChainSigner("ce-0001", M.Mape, key);
        Assert.Contains("window 0 start", Assert.Throws<SummaryFormatException>(() => chain.Sign([W with { StartUnix = W.StartUnix + 1 }])).Message);
        Assert.Equal(0UL, chain.LastSeq); // nothing signed, the chain did not move
        Assert.Contains("windows: a message carries", Assert.Throws<SummaryFormatException>(() => chain.Sign([])).Message);
    }

    [Fact]
    public void A_split_window_and_the_new_fields_round_trip()
    {
        WindowSummary p0 = W with { Parts = 3, Unrecorded = 5 };
        WindowSummary later = W with { Protocols = [], LostEvents = 0, Resyncs = 0, Parts = 3 };
        SummaryMessage m = M with { FilterKeyEpoch = 4, Windows = [p0, later with { Part = 1 }, later with { Part = 2 }, W with { StartUnix = W.StartUnix + 60 }] };
        byte[] a = SummaryCodec.Encode(m);
        SummaryMessage back = SummaryCodec.Decode(a);
        Assert.Equal(a, SummaryCodec.Encode(back));
        Assert.Equal(4U, back.FilterKeyEpoch);
        Assert.Equal([0, 1, 2, 0], back.Windows.Select(w => w.Part));
        Assert.Equal([3, 3, 3, 1], back.Windows.Select(w => w.Parts));
        Assert.Equal(5U, back.Windows[0].Unrecorded);
        Assert.False(back.Windows[0].IsWhole);
        Assert.True(back.Windows[3].IsWhole);
    }
}
