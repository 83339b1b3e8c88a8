using System.Text.Json;
using System.Text.Json.Nodes;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;
using CeAgent.TestKit;
using CeIsp.Collector;
using CeIsp.Fleet;
using CeIsp.Store;
using CeIsp.Tests.Resolver;

namespace CeIsp.Tests.Fleet;

public sealed class FleetHealthTests
{
    private static readonly CeTelemetry Quiet = new("ce-a", "line-a", LastEnd: 10_000, WindowSeconds: 60);

    [Theory]
    [InlineData(10_000, 0)]      // its newest window just ended
    [InlineData(9_000, 0)]       // ahead of the report's clock: not silent
    [InlineData(10_179, 2)]      // two whole windows
    [InlineData(10_180, 3)]      // three: not more than three
    [InlineData(10_240, 4)]      // four: flagged
    public void Silence_is_counted_in_whole_windows_and_flagged_past_the_limit(long now, long windows)
    {
        Assert.Equal(windows, FleetHealth.Silent(Quiet, now));
        List<string> flags = FleetHealth.Flags(Quiet, 3, now);
        if (windows > 3)
            Assert.Contains("silent for 4 windows (more than 3)", Assert.Single(flags), StringComparison.Ordinal);
        else
            Assert.Empty(flags);
    }

    [Fact]
    public void Each_reported_problem_has_its_own_flag()
    {
        Assert.Equal(["enrolled but has sent nothing"], FleetHealth.Flags(Quiet with { LastEnd = null }, 3, 0));
        var all = Quiet with { UnsyncedWindows = 2, UnknownBoundWindows = 1, Exhausted = 7, LostEvents = 3, SpoolDropped = 5 };
        Assert.Equal([
            "clock not synchronised in 2 window(s), 1 without any error bound",
            "port set exhausted 7 time(s)",
            "lost 3 conntrack event(s)",
            "dropped 5 summary message(s) from its spool",
        ], FleetHealth.Flags(all, 3, 10_000));
    }

    [Fact]
    public void Counters_are_summed_over_messages_and_parts_count_once()
    {
        var clock = new ClockQuality(ClockSource.None, false, uint.MaxValue);
        var w = new WindowSummary(0, 60, clock, [], Exhausted: 2, LostEvents: 1, Resyncs: 0, AttributionFilter.Empty(10), Part: 0, Parts: 2);
        var m = new SummaryMessage("ce-a", 1, new byte[32], Mape, [w, w with { Part = 1, Exhausted = 0, LostEvents = 0 }], SpoolDropped: 4);
        CeTelemetry t = Quiet.With(m).With(m);
        Assert.Equal((2, 4, 2, 2, 2, 8), (t.Messages, t.Exhausted, t.LostEvents, t.UnsyncedWindows, t.UnknownBoundWindows, t.SpoolDropped));
    }

    private static readonly MapeContext Mape = MapeContext.From(Scenario.NewCe("ce-a", 1).Mape);
}

/// <summary>The fleet report over a real store of real signed messages, on both engines.</summary>
public sealed class FleetReportTests : IClassFixture<StoreServer>, IDisposable
{
    private readonly StoreServer _server;
    private readonly Scenario _s = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("fleet-report-").FullName;

    public void Dispose()
    {
        _s.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>The scenario, with ce-b's newest message saying its clock lost synchronisation, its port set ran
    /// out four times, two conntrack events were lost and five summaries were dropped from its spool.</summary>
    public FleetReportTests(StoreServer server)
    {
        _server = server;
        Scenario.Ce b = _s.Ces[1];
        SummaryMessage last = SummaryCodec.Decode(CoseSign1.Parse(b.Messages[^1]).Payload);
        WindowSummary w = last.Windows[^1] with
        {
            StartUnix = last.Windows[^1].StartUnix + 60, Clock = new ClockQuality(ClockSource.None, false, uint.MaxValue),
            Protocols = [], Exhausted = 4, LostEvents = 2, Filter = AttributionFilter.Empty(last.Windows[^1].Filter.P),
        };
        var chain = new ChainSigner(b.Id, last.Mape, b.Key, last.Seq, SummaryChain.Hash(b.Messages[^1])) { FilterKeyEpoch = Scenario.Epoch };
        b.Messages.Add(chain.Sign([w], dropped: 5));
    }

    private SummaryStore Collect(SummaryStore store)
    {
        _s.Enroll(store);
        var collector = new SummaryCollector(store, trustOnFirstUse: false);
        foreach (Scenario.Ce ce in _s.Ces)
            foreach (byte[] m in ce.Messages)
                Assert.Equal(IngestOutcome.Stored, collector.Ingest($"ce/v1/{ce.Id}/summary", m).Outcome);
        return store;
    }

    [Theory, OnSqlite, OnPostgres]
    public void Silent_ces_bad_clocks_exhaustion_and_drops_are_flagged_from_what_the_ces_sent(string kind)
    {
        using SummaryStore store = Collect(_server.Open(kind));
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        store.Enroll(new Device("ce-silent", "line-silent", key.ExportSubjectPublicKeyInfoPem()));
        // Newest windows end: ce-a 1440 s, ce-b 1620 s (its added window), ce-c 1560 s after T0.
        var at = DateTimeOffset.FromUnixTimeSeconds(Scenario.T0 + 1620 + 5 * 60);
        FleetReport r = FleetReport.Build(store, null, 5, 24, at);
        var by = r.Ces.ToDictionary(e => e.CeId);
        Assert.Equal(["ce-a", "ce-b", "ce-c", "ce-silent"], r.Ces.Select(e => e.CeId));
        Assert.Equal(8, by["ce-a"].SilentWindows);
        Assert.Contains(by["ce-a"].Flags, f => f.StartsWith("silent for 8 windows (more than 5)", StringComparison.Ordinal));
        Assert.Equal(5, by["ce-b"].SilentWindows); // five: not more than five
        Assert.Equal([
            "clock not synchronised in 1 window(s), 1 without any error bound",
            "port set exhausted 4 time(s)",
            "lost 2 conntrack event(s)",
            "dropped 5 summary message(s) from its spool",
        ], by["ce-b"].Flags);
        Assert.Equal(6, by["ce-c"].SilentWindows);
        Assert.Single(by["ce-c"].Flags);
        Assert.Equal(["enrolled but has sent nothing"], by["ce-silent"].Flags);
        Assert.Null(by["ce-silent"].Epoch);
        Assert.Equal(Scenario.Epoch, by["ce-b"].Epoch);
        Assert.Equal(4, r.Flagged);
        // Messages received before the period are not read: nothing reported, nothing flagged but silence.
        FleetReport later = FleetReport.Build(store, null, 5, 1, DateTimeOffset.UtcNow.AddHours(2));
        Assert.All(later.Ces, e => Assert.Equal(0, e.Messages));
        Assert.DoesNotContain(later.Ces.SelectMany(e => e.Flags), f => f.Contains("spool", StringComparison.Ordinal));
    }

    [Fact]
    public void The_command_prints_json_and_names_bad_options()
    {
        string db = Path.Combine(_dir, "f.db");
        Collect(SummaryStore.Sqlite(db)).Dispose();
        string config = Path.Combine(_dir, "isp.json");
        File.WriteAllText(config, new JsonObject { ["store"] = new JsonObject { ["kind"] = "sqlite", ["target"] = db } }.ToJsonString());
        string at = DateTimeOffset.FromUnixTimeSeconds(Scenario.T0 + 1700).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        ProcResult r = Programs.Run("ce-isp", "fleet", "--json", "--at", at, "--silent-windows", "100", "--config", config);
        Assert.Equal(1, r.ExitCode); // ce-b's report is flagged
        JsonNode report = JsonNode.Parse(r.Stdout)!;
        Assert.Equal(1, report["flagged"]!.GetValue<int>());
        JsonNode b = report["ces"]!.AsArray().Single(e => e!["ceId"]!.GetValue<string>() == "ce-b")!;
        Assert.Equal(5, b["spoolDropped"]!.GetValue<long>());
        Assert.Equal(4, b["exhausted"]!.GetValue<long>());
        Assert.Equal("line-b", b["line"]!.GetValue<string>());
        ProcResult text = Programs.Run("ce-isp", "fleet", "--at", at, "--silent-windows", "100", "--config", config);
        Assert.Contains("filterKeyEpoch is not set", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("ce-b\tline-b\tclock not synchronised", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("health: 3 CE(s), 1 flagged", text.Stdout, StringComparison.Ordinal);
        foreach (var (args, expected) in new[] { (new[] { "--silent-windows", "x" }, "--silent-windows: 'x'"), (["--hours", "0"], "--hours: '0'"), (["--at", "2026-12-01T10:00:00"], "--at: '2026-12-01T10:00:00'") })
        {
            ProcResult bad = Programs.Run("ce-isp", ["fleet", .. args, "--config", config]);
            Assert.NotEqual(0, bad.ExitCode);
            Assert.Contains(expected, bad.Stderr, StringComparison.Ordinal);
        }
    }
}
