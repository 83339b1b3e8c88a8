using CeAgent.TestKit;
using CeIsp.Collector;
using CeIsp.Resolver;
using CeIsp.Store;

namespace CeIsp.Tests.Resolver;

/// <summary>Collector and resolver over a real store, every test on SQLite and on PostgreSQL.</summary>
public sealed class ResolverTests(StoreServer server) : IClassFixture<StoreServer>, IDisposable
{
    private readonly Scenario S = new();
    private SummaryStore Store { get; set; } = null!;
    private SummaryCollector Collector { get; set; } = null!;

    /// <summary>The scenario collected into a fresh store of that kind (ce-c's second message never arrives: a gap).</summary>
    private void On(string kind)
    {
        Store = server.Open(kind);
        S.Enroll(Store);
        Collector = new SummaryCollector(Store, trustOnFirstUse: false);
        foreach (var ce in S.Ces)
            for (int i = 0; i < ce.Messages.Count; i++)
                if (!(ce.Id == "ce-c" && i == 1))
                    Assert.Equal(IngestOutcome.Stored, Collector.Ingest($"ce/v1/{ce.Id}/summary", ce.Messages[i]).Outcome);
    }

    public void Dispose()
    {
        Store?.Dispose();
        S.Dispose();
    }

    private static Observation Obs(long second, CeAgent.Shared.Summary.FlowKey dst, int? srcPort = null, long accuracyMs = 1000) => new()
    {
        Ip = "192.0.2.18",
        Time = DateTimeOffset.FromUnixTimeSeconds(Scenario.T0 + second),
        TimeAccuracyMs = accuracyMs,
        SrcPort = srcPort,
        DstIp = dst.Destination.ToString(),
        DstPort = dst.Port,
        Proto = dst.Proto.ToString().ToLowerInvariant(),
    };

    private Verdict Resolve(params Observation[] obs) =>
        new CeIsp.Resolver.AddressResolver(Store, Scenario.MasterKey).Resolve(new DisclosureRequest { Requester = "test", Observations = [.. obs] });

    [Theory, OnSqlite, OnPostgres]
    public void With_the_source_port_the_line_is_unique(string store)
    {
        On(store);
        Verdict v = Resolve(Obs(15, Scenario.D1, Scenario.PortOf(S.Ces[0], 0)));
        Assert.Equal(VerdictKind.Unique, v.Result);
        Assert.Equal("line-a", v.Line);
        Assert.True(v.Candidates[0].Evidence[0].PortUsed);
    }

    [Theory, OnSqlite, OnPostgres]
    public void Without_it_two_lines_fit_until_a_second_observation_separates_them(string store)
    {
        On(store);
        Verdict one = Resolve(Obs(15, Scenario.D1));
        Assert.Equal(VerdictKind.Ambiguous, one.Result);
        Assert.Null(one.Line);
        Assert.Equal(["line-a", "line-b"], one.Candidates.Select(c => c.Line).Order());
        Verdict two = Resolve(Obs(15, Scenario.D1), Obs(205, Scenario.D2));
        Assert.Equal(VerdictKind.Unique, two.Result);
        Assert.Equal("line-a", two.Line);
        Assert.InRange(two.Candidates[0].FalsePositiveProbability, 0, 1e-4);
    }

    [Theory, OnSqlite, OnPostgres]
    public void Times_to_the_second_separate_lines_in_one_window_and_a_long_flow_is_found_where_it_ends(string store)
    {
        On(store);
        // At 1250 s both CEs have a window (1200-1260), and ce-b went to D4 in it, but its flow had ended at
        // 1210. ce-a's flow to D4 runs 1000-1400: it is listed only in the window it ends in, 1380-1440.
        Verdict v = Resolve(Obs(1250, Scenario.D4));
        Assert.Equal(VerdictKind.Unique, v.Result);
        Assert.Equal("line-a", v.Line);
        Assert.Equal(Scenario.T0 + 1380, Assert.Single(v.Candidates[0].Evidence).WindowStart);
        Assert.Equal(["line-a", "line-b"], Resolve(Obs(1207, Scenario.D4)).Candidates.Select(c => c.Line).Order()); // both then
        Assert.Equal(VerdictKind.None, Resolve(Obs(1420, Scenario.D4)).Result); // after both ended
        Assert.Equal("line-a", Resolve(Obs(1250, Scenario.D4, Scenario.PortOf(S.Ces[0], 2))).Line);
    }

    [Theory, OnSqlite, OnPostgres]
    public void A_destination_nobody_contacted_gives_none(string store)
    {
        On(store);
        var nobody = new CeAgent.Shared.Summary.FlowKey(System.Net.IPAddress.Parse("192.0.2.200"), 443, CeAgent.Shared.Summary.Proto.Tcp);
        Assert.Equal(VerdictKind.None, Resolve(Obs(15, nobody)).Result);
        Assert.Equal(VerdictKind.None, Resolve(Obs(15, Scenario.D1, Scenario.PortOf(S.Ces[2], 0))).Result); // ce-c's port, ce-c did not go there
    }

    [Theory, OnSqlite, OnPostgres]
    public void After_every_holder_s_records_end_the_answer_is_unknown_naming_them(string store)
    {
        On(store);
        // Nobody's records reach 3000 s: silent CEs, or messages not yet arrived. Not "nobody did it".
        Verdict v = Resolve(Obs(3000, Scenario.D1));
        Assert.Equal(VerdictKind.Unknown, v.Result);
        Assert.Equal(["ce-a", "ce-b", "ce-c"], v.NoEvidence.Select(n => n.CeId).Order());
        Assert.All(v.NoEvidence, n => Assert.Contains("records end earlier", n.Why));
    }

    [Theory, OnSqlite, OnPostgres]
    public void Where_no_window_is_near_the_port_set_from_the_index_still_rules_the_other_holders_out(string store)
    {
        On(store);
        // At 2500 s nobody has a window the resolver would read; the port is ce-a's (PSID 1), so ce-b and
        // ce-c are ruled out by MAP-E alone, and ce-a, whose records end before, is unknown.
        Verdict v = Resolve(Obs(2500, Scenario.D1, Scenario.PortOf(S.Ces[0], 0)));
        Assert.Equal(VerdictKind.Unknown, v.Result);
        Assert.Equal("ce-a", Assert.Single(v.NoEvidence).CeId);
        Assert.Equal(3, Resolve(Obs(2500, Scenario.D1)).NoEvidence.Count); // without the port, none of them is ruled out
    }

    [Theory, OnSqlite, OnPostgres]
    public void An_enrolled_ce_that_never_reported_keeps_none_from_being_said(string store)
    {
        On(store);
        var nobody = new CeAgent.Shared.Summary.FlowKey(System.Net.IPAddress.Parse("192.0.2.200"), 443, CeAgent.Shared.Summary.Proto.Tcp);
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        Store.Enroll(new Device("ce-silent", "line-silent", key.ExportSubjectPublicKeyInfoPem()));
        Verdict v = Resolve(Obs(15, nobody));
        Assert.Equal(VerdictKind.Unknown, v.Result);
        Assert.Equal("ce-silent", Assert.Single(v.NoEvidence).CeId);
        Assert.Contains("sent nothing", v.Explanation);
        // A positive match is not undone by a CE that sent nothing.
        Assert.Equal(VerdictKind.Unique, Resolve(Obs(15, Scenario.D1, Scenario.PortOf(S.Ces[0], 0))).Result);
    }

    [Theory, OnSqlite, OnPostgres]
    public void Verdicts_serialise_as_lowercase_words(string store)
    {
        On(store);
        Verdict v = Resolve(Obs(3000, Scenario.D1));
        string json = System.Text.Json.JsonSerializer.Serialize(v, ResolverJson.Default.Verdict);
        Assert.Contains("\"result\": \"unknown\"", json);
        Assert.Equal(["unique", "ambiguous", "none", "unknown"], Enum.GetValues<VerdictKind>().Select(k => k.Text()));
        Assert.All(Enum.GetValues<VerdictKind>(), k =>
            Assert.Equal($"\"{k.Text()}\"", System.Text.Json.JsonSerializer.Serialize(k, ResolverJson.Default.VerdictKind)));
    }

    [Theory, OnSqlite, OnPostgres]
    public void A_gap_is_no_evidence_not_evidence_of_absence(string store)
    {
        On(store);
        Verdict v = Resolve(Obs(400, Scenario.D3));
        Assert.Equal(VerdictKind.Unknown, v.Result);
        Assert.Empty(v.Candidates);
        Assert.Equal("ce-c", Assert.Single(v.NoEvidence).CeId);
        Assert.Contains(Store.ChainEvents("ce-c"), e => e.Kind == ChainEventKind.Gap && e.Seq == 2);
        // The late message fills the gap: now the line is found.
        Assert.Equal(IngestOutcome.Stored, Collector.Ingest("ce/v1/ce-c/summary", S.Ces[2].Messages[1]).Outcome);
        Assert.DoesNotContain(Store.ChainEvents("ce-c"), e => e.Kind == ChainEventKind.Gap);
        Assert.Equal(VerdictKind.Unique, Resolve(Obs(400, Scenario.D3)).Result);
    }

    [Theory, OnSqlite, OnPostgres]
    public void A_late_message_that_does_not_link_to_its_successor_is_a_break(string store)
    {
        On(store);
        // ce-c's seq 2 never arrived; a message 2 signed by the CE's key but with other content (a CE
        // that lost its chain state, or a replay of another fork) arrives late: 3 does not link to it.
        var ce = S.Ces[2];
        byte[] first = ce.Messages[0];
        var m1 = CeAgent.Shared.Summary.SummaryCodec.Decode(CeAgent.Shared.Summary.CoseSign1.Parse(first).Payload);
        var fork = new CeAgent.Shared.Summary.ChainSigner(ce.Id, m1.Mape, ce.Key, 1, CeAgent.Shared.Summary.SummaryChain.Hash(first));
        byte[] other = fork.Sign(m1.Windows);
        Assert.Equal(IngestOutcome.Stored, Collector.Ingest("ce/v1/ce-c/summary", other).Outcome);
        var events = Store.ChainEvents("ce-c");
        Assert.DoesNotContain(events, e => e.Kind == ChainEventKind.Gap);
        Assert.Contains(events, e => e.Kind == ChainEventKind.Break && e.Seq == 3);
    }

    [Theory, OnSqlite, OnPostgres]
    public void Bad_messages_are_rejected_counted_and_the_collector_goes_on(string store)
    {
        On(store);
        byte[] good = S.Ces[0].Messages[0];
        var c = Collector;
        Assert.Equal(IngestOutcome.Duplicate, c.Ingest("ce/v1/ce-a/summary", good).Outcome); // replayed
        byte[] tampered = (byte[])good.Clone();
        tampered[tampered.Length / 2] ^= 1;
        Assert.Equal(IngestOutcome.Rejected, c.Ingest("ce/v1/ce-a/summary", tampered).Outcome);
        Assert.Equal(IngestOutcome.Rejected, c.Ingest("ce/v1/ce-b/summary", good).Outcome); // wrong id on topic
        Assert.Equal(IngestOutcome.Rejected, c.Ingest("ce/v1/ce-z/summary", [0xd2, 0x84]).Outcome); // malformed
        Assert.Equal(IngestOutcome.Rejected, c.Ingest("ce/v1/ce-a/summary", new byte[400_000]).Outcome); // oversize
        Assert.Equal(IngestOutcome.Rejected, c.Ingest("bogus/topic", good).Outcome);
        using var forger = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        byte[] forged = CeAgent.Shared.Summary.CoseSign1.Sign(CeAgent.Shared.Summary.CoseSign1.Parse(good).Payload, "ce-a", forger);
        IngestResult f = c.Ingest("ce/v1/ce-a/summary", forged);
        Assert.Equal(IngestOutcome.Rejected, f.Outcome);
        Assert.StartsWith("bad-signature", f.Reason);
        Assert.Equal(2, c.Rejections["bad-signature"]); // the tampered one and the forged one
        Assert.True(c.RejectedTotal >= 6);
        Assert.Equal(1, c.Duplicates);
        Assert.Equal(IngestOutcome.Stored, c.Ingest("ce/v1/ce-c/summary", S.Ces[2].Messages[1]).Outcome); // and it goes on
    }

    [Theory, OnSqlite, OnPostgres]
    public void Unknown_ces_are_refused_unless_trusted_on_first_use(string store)
    {
        On(store);
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var m = CeAgent.Shared.Summary.SummaryCodec.Decode(CeAgent.Shared.Summary.CoseSign1.Parse(S.Ces[0].Messages[0]).Payload) with { CeId = "ce-new" };
        byte[] signed = CeAgent.Shared.Summary.CoseSign1.Sign(CeAgent.Shared.Summary.SummaryCodec.Encode(m), "ce-new", key);
        Assert.StartsWith("not-enrolled", Collector.Ingest("ce/v1/ce-new/summary", signed).Reason);
        var tofu = new SummaryCollector(Store, trustOnFirstUse: true);
        string state = $$"""{"online":true,"publicKey":{{System.Text.Json.JsonSerializer.Serialize(key.ExportSubjectPublicKeyInfoPem())}}}""";
        Assert.Equal(IngestOutcome.Enrolled, tofu.Ingest("ce/v1/ce-new/state", System.Text.Encoding.UTF8.GetBytes(state)).Outcome);
        Assert.Equal(IngestOutcome.Stored, tofu.Ingest("ce/v1/ce-new/summary", signed).Outcome);
    }
}

public sealed class EmptyStoreResolverTests(StoreServer server) : IClassFixture<StoreServer>
{
    [Theory, OnSqlite, OnPostgres]
    public void An_empty_store_answers_unknown_not_none(string kind)
    {
        using var store = server.Open(kind);
        Verdict v = new CeIsp.Resolver.AddressResolver(store, Scenario.MasterKey).Resolve(new DisclosureRequest
        {
            Requester = "test",
            Observations = [new Observation { Ip = "192.0.2.18", Time = DateTimeOffset.FromUnixTimeSeconds(Scenario.T0), DstIp = "198.51.100.1", DstPort = 443 }],
        });
        Assert.Equal(VerdictKind.Unknown, v.Result);
        Assert.Contains("no CE is known to have held the address", v.Explanation);
    }
}
