using CeIsp.Desk;
using CeIsp.Resolver;

namespace CeIsp.Tests.Desk;

/// <summary>The pure pieces around the resolver: verdict mapping and sentences, bulk CSV, listen plans, ids.</summary>
public class DeskPureTests
{
    private static Candidate Cand(string line, bool synced = true, List<string>? notes = null) =>
        new("ce-" + line, line, 1, 1e-5, [new Evidence(7, 1_795_000_020, 60, false, synced, synced ? 20 : -1)], notes ?? []);

    private static DeskVerdict Map(string result, List<Candidate> c, List<NoEvidence> n) =>
        DeskVerdicts.From("r-1", new Verdict(Enum.TryParse(result, ignoreCase: true, out VerdictKind kind) ? kind : (VerdictKind)99, c.Count == 1 && result == "unique" ? c[0].Line : null, c, n, "resolver says"), (_, _) => [0]);

    [Fact]
    public void Every_verdict_kind_has_sentences_in_both_languages()
    {
        DeskVerdict u = Map("unique", [Cand("line-1")], []);
        Assert.Equal("One subscriber line fits every observation: line-1. The chance that its match is a filter false positive is 1E-05.", u.Explanation);
        Assert.StartsWith("すべての観測に合致する回線は1つです: line-1。", u.ExplanationJa);
        Assert.StartsWith("2 subscriber lines fit: line-1, line-2.", Map("ambiguous", [Cand("line-1"), Cand("line-2")], []).Explanation);
        Assert.StartsWith("No subscriber line", Map("none", [], []).Explanation);
        DeskVerdict unknown = Map("unknown", [], [new NoEvidence("ce-3", "line-3", "gap")]);
        Assert.Equal("unknown", unknown.Verdict);
        Assert.StartsWith("回答できません", unknown.ExplanationJa);
        Assert.Equal("line-3", Assert.Single(unknown.Unknown).Line);
        Assert.Throws<InvalidOperationException>(() => Map("maybe", [], []));
    }

    [Fact]
    public void What_weakens_an_answer_is_said()
    {
        DeskVerdict v = Map("ambiguous", [Cand("line-1", synced: false, notes: ["no evidence for 1 of 2 observations"])], [new NoEvidence("ce-3", "line-3", "gap")]);
        Assert.Contains("1 other router(s) that held the address have missing records then (line-3)", v.Explanation);
        Assert.Contains("unsynchronised clock", v.Explanation);
        Assert.Contains("Some candidates have no evidence for every observation", v.Explanation);
        Assert.Contains("同期していない", v.ExplanationJa);
        Assert.Equal([0], v.Candidates[0].Windows[0].Observations);
        Assert.Equal("resolver says", v.ResolverExplanation);
    }

    [Fact]
    public void Bulk_rows_group_by_reference_and_errors_name_the_upload_line()
    {
        var items = BulkCsv.Read("reference,ip,time,dst_ip,dst_port,accuracy_ms\nA,192.0.2.18,2026-12-02T08:49:13Z,203.0.113.10,80,500\nB,192.0.2.18,bad,203.0.113.10,80,0\nA,192.0.2.18,2026-12-02T08:59:13Z,203.0.113.10,80,30000\nC,192.0.2.18,2026-12-02T08:59:13Z,203.0.113.10,80,x\n,1,2,3,4,5");
        Assert.Equal(["A", "B", "C", ""], items.Select(i => i.Reference));
        Assert.Equal([500L, 30000L], items[0].Observations.Select(o => o.TimeAccuracyMs));
        Assert.StartsWith("line 3: time 'bad'", items[1].Error);
        Assert.Equal("line 5: accuracy_ms 'x' is not 0..86400000", items[2].Error);
        Assert.Equal("line 6: reference is empty", items[3].Error);
        Assert.Equal("A", DisclosureRequest.Parse(BulkCsv.RequestJson("tanaka", items[0])).Reference);
        Assert.Throws<FormatException>(() => BulkCsv.Read(string.Join("\n", ["reference,ip,time,dst_ip,dst_port,accuracy_ms", .. Enumerable.Range(0, BulkCsv.MaxRequests + 1).Select(i => $"R{i},1,2,3,4,5")])));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"x\"", "\"say \"\"x\"\"\"")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("@SUM", "'@SUM")]
    public void Output_fields_are_quoted_and_never_formulas(string s, string quoted) => Assert.Equal(quoted, BulkCsv.Quote(s));

    [Theory]
    [InlineData("127.0.0.1:8080", false)]
    [InlineData("[::1]:8080", false)]
    public void Plain_http_only_on_loopback(string listen, bool https) => Assert.Equal(https, DeskServer.Plan(listen, new DeskConfig()).Https);

    [Theory]
    [InlineData("0.0.0.0:443", null, null, "desk.certFile: serving 0.0.0.0:443 needs the ISP's certificate")]
    [InlineData("192.0.2.1:443", "c.pem", null, "desk.certFile, desk.keyFile: give both")]
    [InlineData("localhost:8080", null, null, "--listen: 'localhost:8080' is not ADDR:PORT")]
    [InlineData("8080", null, null, "--listen: '8080' is not ADDR:PORT")]
    public void A_bad_listen_plan_names_the_option(string listen, string? cert, string? key, string error) =>
        Assert.StartsWith(error, Assert.Throws<FormatException>(() => DeskServer.Plan(listen, new DeskConfig { CertFile = cert, KeyFile = key })).Message);

    [Fact]
    public void Request_ids_are_random_and_checked_before_they_touch_a_path()
    {
        string id = RequestArchive.NewId(DateTimeOffset.Parse("2026-12-03T00:00:00Z"));
        Assert.True(RequestArchive.IsId(id));
        Assert.StartsWith("r-20261203-", id);
        Assert.NotEqual(id, RequestArchive.NewId(DateTimeOffset.Parse("2026-12-03T00:00:00Z")));
        foreach (string bad in new[] { "../../etc/passwd", "r-20261203-../../../../x", "r-20261203-ABCDEF0123456789", "" })
            Assert.False(RequestArchive.IsId(bad));
    }
}
