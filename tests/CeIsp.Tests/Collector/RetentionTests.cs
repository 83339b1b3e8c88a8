using System.Text.Json.Nodes;
using CeAgent.TestKit;
using CeIsp.Audit;
using CeIsp.Collector;
using CeIsp.Store;
using Microsoft.Data.Sqlite;

namespace CeIsp.Tests.Collector;

/// <summary>
/// Retention on both stores: a CE's messages over three days, the oldest day dropped whole (PostgreSQL:
/// its partitions), the run in the audit log, the rest readable; a collector that made a dropped day's
/// partition before stores into it again; `ce-isp prune` refuses nonsense with the reason.
/// </summary>
public sealed class RetentionTests : IDisposable
{
    private const long Day = StoreDay.Seconds;
    private readonly string _dir = Directory.CreateTempSubdirectory("ce-retention-").FullName;
    private readonly Scenario.Ce _ce = Scenario.NewCe("ce-r", 7);
    private readonly int _first = StoreDay.Of(Scenario.T0);

    public RetentionTests() =>
        // Two windows on each of three days (a window a message).
        Scenario.Flows(_ce, [.. Enumerable.Range(0, 6).Select(i => (i % 4, Scenario.D1, (int)(i / 2 * Day + i % 2 * 60 + 5), (int)(i / 2 * Day + i % 2 * 60 + 9)))]);

    public void Dispose()
    {
        _ce.Key.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private string Audit => Path.Combine(_dir, "audit.jsonl");

    private SummaryCollector Collect(SummaryStore store, IEnumerable<byte[]> messages)
    {
        store.Enroll(new Device(_ce.Id, "line-r", _ce.Key.ExportSubjectPublicKeyInfoPem()));
        var c = new SummaryCollector(store, false) { BackfillDays = 100_000 };
        foreach (byte[] m in messages)
            Assert.Equal(IngestOutcome.Stored, c.Ingest($"ce/v1/{_ce.Id}/summary", m).Outcome);
        return c;
    }

    private void DropsTheOldestDay(SummaryStore store, Func<SummaryStore> second)
    {
        Assert.Equal(6, _ce.Messages.Count);
        SummaryCollector c = Collect(store, _ce.Messages.Skip(1));
        Assert.Equal([_first, _first + 1, _first + 2], store.Days());
        long now = (_first + 1 + 30) * Day + 7; // the first day kept is _first + 1
        using (SummaryStore other = second())
        {
            PruneResult r = Retention.Run(other, 30, Audit, "test", now);
            Assert.Equal((_first + 1, 1, 1L), (r.CutoffDay, r.Days.Count, r.Messages));
        }
        Assert.Equal([_first + 1, _first + 2], store.Days());
        Assert.Null(store.Message(_ce.Id, 2));
        Assert.Equal(_ce.Messages[2], store.Message(_ce.Id, 3));
        Assert.Equal(4, store.Count("messages"));
        Assert.Equal(8, store.Count("windows") + store.Count("chain"));
        // The store that made the day's partition before the prune (elsewhere) makes it again for a late message.
        Assert.Equal(IngestOutcome.Stored, c.Ingest($"ce/v1/{_ce.Id}/summary", _ce.Messages[0]).Outcome);
        Assert.Equal(_ce.Messages[0], store.Message(_ce.Id, 1));
        AuditVerification v = AuditLog.Verify(Audit);
        Assert.True(v.Ok, v.Problem);
        string line = Assert.Single(File.ReadAllLines(Audit));
        Assert.Contains("\"prune\"", line);
        Assert.Contains($"dropped 1 day(s) {StoreDay.Name(_first)}", line);
        // The late message's day goes on the next run; then nothing is left to drop, and the log says so too.
        Assert.Equal([_first], Retention.Run(store, 30, Audit, "test", now).Days);
        Assert.Empty(Retention.Run(store, 30, Audit, "test", now).Days);
        Assert.Equal(3, File.ReadAllLines(Audit).Length);
        Assert.Contains("dropped no day", File.ReadAllLines(Audit)[2]);
    }

    [Fact]
    public void Sqlite_drops_whole_days_and_audits_the_run()
    {
        string db = Path.Combine(_dir, "r.db");
        using SummaryStore store = SummaryStore.Sqlite(db);
        DropsTheOldestDay(store, () => SummaryStore.Sqlite(db));
    }

    [RootFact("runuser")]
    public void Postgres_drops_whole_day_partitions_and_audits_the_run()
    {
        Assert.True(Postgres.Missing is null, Postgres.Missing);
        using var server = new Postgres();
        string cs = server.NewDatabase();
        using SummaryStore store = SummaryStore.Postgres(cs);
        DropsTheOldestDay(store, () => SummaryStore.Postgres(cs));
    }

    [Fact]
    public void A_run_that_cannot_be_audited_drops_nothing()
    {
        string db = Path.Combine(_dir, "r.db");
        using SummaryStore store = SummaryStore.Sqlite(db);
        Collect(store, _ce.Messages);
        Directory.CreateDirectory(Audit); // a directory where the log should be
        Assert.ThrowsAny<AuditException>(() => Retention.Run(store, 1, Audit, "test", (_first + 10) * Day));
        Assert.Equal(6, store.Count("messages"));
        var logged = new List<string>();
        new DailyRetention(store, 1, Audit, logged.Add, () => (_first + 10) * Day).Tick();
        Assert.Contains("retention not run", Assert.Single(logged));
        Assert.Equal(6, store.Count("messages"));
    }

    [Fact]
    public void Daily_retention_runs_once_a_utc_day()
    {
        using SummaryStore store = SummaryStore.Sqlite(Path.Combine(_dir, "r.db"));
        long now = (_first + 5) * Day;
        var logged = new List<string>();
        var daily = new DailyRetention(store, 400, Audit, logged.Add, () => now);
        daily.Tick();
        now += Day - 1;
        daily.Tick();
        now += 1;
        daily.Tick();
        Assert.Equal(2, logged.Count);
        Assert.All(logged, l => Assert.Contains("retention 400 days", l));
        Assert.Equal(2, File.ReadAllLines(Audit).Length);
    }

    [Theory]
    [InlineData(0, null, "retentionDays: 0 is outside 1..3660")]
    [InlineData(3661, null, "retentionDays: 3661 is outside 1..3660")]
    [InlineData(180, "9464", "metrics: '9464' is not ADDR:PORT")]
    [InlineData(180, "localhost:9464", "metrics: 'localhost:9464' is not ADDR:PORT")]
    [InlineData(1, "127.0.0.1:9464", null)]
    public void Retention_and_metrics_settings_are_checked_by_name(int days, string? metrics, string? problem)
    {
        string? found = new CeIsp.Config.IspConfig { RetentionDays = days, Metrics = metrics, Broker = { Host = "b" } }.Validate();
        if (problem is null)
            Assert.Null(found);
        else
            Assert.StartsWith(problem, found);
    }

    [Theory]
    [InlineData("0", "--older-than")]
    [InlineData("x", "--older-than")]
    [InlineData("99999", "--older-than")]
    public void Prune_refuses_a_span_that_is_not_days(string days, string named)
    {
        var json = new JsonObject { ["store"] = new JsonObject { ["kind"] = "sqlite", ["target"] = Path.Combine(_dir, "p.db") }, ["auditLog"] = Audit };
        string config = Path.Combine(_dir, "isp.json");
        File.WriteAllText(config, json.ToJsonString());
        ProcResult r = Programs.Run("ce-isp", "prune", "--older-than", days, "--config", config);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(named, r.Stderr);
        Assert.False(File.Exists(Audit));
    }

    [Fact]
    public void Prune_as_a_command_prints_and_audits_what_it_dropped()
    {
        string db = Path.Combine(_dir, "p.db");
        using (SummaryStore store = SummaryStore.Sqlite(db))
            Collect(store, _ce.Messages);
        var json = new JsonObject { ["store"] = new JsonObject { ["kind"] = "sqlite", ["target"] = db }, ["auditLog"] = Audit, ["retentionDays"] = 3650 };
        string config = Path.Combine(_dir, "isp.json");
        File.WriteAllText(config, json.ToJsonString());
        ProcResult kept = Programs.Run("ce-isp", "prune", "--config", config);
        Assert.True(kept.ExitCode == 0, kept.Stderr);
        Assert.Contains("retention 3650 days", kept.Stdout);
        Assert.Contains("dropped no day", kept.Stdout);
        int age = StoreDay.Of(DateTimeOffset.UtcNow.ToUnixTimeSeconds()) - _first;
        ProcResult dropped = Programs.Run("ce-isp", "prune", "--older-than", (age - 2).ToString(System.Globalization.CultureInfo.InvariantCulture), "--config", config);
        Assert.True(dropped.ExitCode == 0, dropped.Stderr);
        Assert.Contains("dropped 2 day(s)", dropped.Stdout);
        using (SummaryStore store = SummaryStore.Sqlite(db))
            Assert.Equal([_first + 2], store.Days());
        Assert.Equal(2, File.ReadAllLines(Audit).Length);
    }
}
