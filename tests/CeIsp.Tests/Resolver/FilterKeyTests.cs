using CeAgent.Shared.Secrets;
using CeAgent.Shared.Summary;
using CeIsp.Resolver;
using CeIsp.Store;

namespace CeIsp.Tests.Resolver;

/// <summary>Per-CE filter keys: a router's key opens its own filters only; the master opens all, in every epoch.</summary>
public sealed class FilterKeyTests : IDisposable
{
    private readonly Scenario _s = new();
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"fk-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        _s.Dispose();
        File.Delete(_db);
    }

    private static IEnumerable<WindowSummary> Windows(Scenario.Ce ce) =>
        ce.Messages.SelectMany(m => SummaryCodec.Decode(CoseSign1.Parse(m).Payload).Windows);

    private static bool Listed(IEnumerable<WindowSummary> windows, byte[] key, FlowKey dst) =>
        windows.Any(w => WindowMatch.DestinationSeen(w, key, dst, long.MinValue / 4, long.MaxValue / 4));

    [Fact]
    public void With_CE_As_key_Bs_filters_do_not_match_Bs_destinations()
    {
        Scenario.Ce a = _s.Ces[0], b = _s.Ces[1];
        byte[] keyA = FilterKeys.Derive(Scenario.MasterKey, a.Id, Scenario.Epoch);
        byte[] keyB = FilterKeys.Derive(Scenario.MasterKey, b.Id, Scenario.Epoch);
        // B went to D1 and D4; A went to D1, D2 and D4.
        foreach (FlowKey d in new[] { Scenario.D1, Scenario.D4 })
        {
            Assert.True(Listed(Windows(b), keyB, d), $"B's own key finds {d}");
            Assert.False(Listed(Windows(b), keyA, d), $"A's key must not open B's filters for {d}");
            Assert.True(Listed(Windows(a), keyA, d));
        }
        // A's key for another epoch opens nothing either.
        Assert.False(Listed(Windows(a), FilterKeys.Derive(Scenario.MasterKey, a.Id, Scenario.Epoch + 1), Scenario.D1));
    }

    [Fact]
    public void With_the_master_both_resolve_across_a_rotation()
    {
        // A rotates to epoch 2 and keeps going: its later windows are keyed with the new key and say so.
        Scenario.Flows(_s.Ces[0], [(3, Scenario.D3, 5000, 5010)], epoch: 2);
        // B and C stay busy elsewhere past that time, so their records rule them out ("none" needs records).
        Scenario.Flows(_s.Ces[1], [(1, Scenario.D1, 4990, 5060)]);
        Scenario.Flows(_s.Ces[2], [(1, Scenario.D1, 4990, 5060)]);
        Assert.Equal(2u, SummaryCodec.Decode(CoseSign1.Parse(_s.Ces[0].Messages[^1]).Payload).FilterKeyEpoch);
        using SummaryStore store = Ingest();
        var resolver = new CeIsp.Resolver.AddressResolver(store, Scenario.MasterKey);
        Assert.Equal("line-a", resolver.Resolve(Request(205, Scenario.D2)).Line);      // epoch 1, A alone
        Assert.Equal("line-b", resolver.Resolve(Request(1207, Scenario.D4, Scenario.PortOf(_s.Ces[1], 1))).Line);
        Verdict late = resolver.Resolve(Request(5005, Scenario.D3));                    // epoch 2
        Assert.Equal(VerdictKind.Unique, late.Result);
        Assert.Equal("line-a", late.Line);
    }

    [Fact]
    public void A_message_keyed_with_a_key_other_than_its_epochs_matches_nothing()
    {
        // A CE that names epoch 2 but still uses its epoch 1 key (a botched rotation) is not attributed: the
        // resolver uses the epoch the message names.
        Scenario.Flows(_s.Ces[0], [(3, Scenario.D3, 5000, 5010)], epoch: 2, filterKey: FilterKeys.Derive(Scenario.MasterKey, "ce-a", 1));
        using SummaryStore store = Ingest();
        Verdict v = new CeIsp.Resolver.AddressResolver(store, Scenario.MasterKey).Resolve(Request(5005, Scenario.D3));
        Assert.Empty(v.Candidates); // not attributed (none, or unknown where a holder's records end before the time)
        Assert.Contains(v.Result, new[] { VerdictKind.None, VerdictKind.Unknown });
    }

    [Fact]
    public void The_epoch_travels_in_the_message_and_a_written_zero_is_refused()
    {
        SummaryMessage m = SummaryCodec.Decode(CoseSign1.Parse(_s.Ces[0].Messages[0]).Payload);
        Assert.Equal(Scenario.Epoch, m.FilterKeyEpoch);
        byte[] bare = SummaryCodec.Encode(m with { FilterKeyEpoch = 0 });
        Assert.Equal(0u, SummaryCodec.Decode(bare).FilterKeyEpoch); // absent: the field is left out
        byte[] one = SummaryCodec.Encode(m with { FilterKeyEpoch = 1 });
        Assert.Equal(bare.Length + 2, one.Length);
        Assert.Equal(new byte[] { 8, 1 }, one[^2..]); // field 8, the last one written
        one[^1] = 0;
        Assert.Contains("filter key epoch written as 0", Assert.Throws<SummaryFormatException>(() => SummaryCodec.Decode(one)).Message);
    }

    private SummaryStore Ingest() => _s.Collect(_db, _s.Ces).Store;

    private static DisclosureRequest Request(long second, FlowKey dst, int? srcPort = null) => new()
    {
        Requester = "test",
        Observations =
        [
            new Observation
            {
                Ip = "192.0.2.18", Time = DateTimeOffset.FromUnixTimeSeconds(Scenario.T0 + second), TimeAccuracyMs = 1000,
                SrcPort = srcPort, DstIp = dst.Destination.ToString(), DstPort = dst.Port, Proto = dst.Proto.ToString().ToLowerInvariant(),
            },
        ],
    };
}
