using System.Data.Common;
using CeAgent.Shared.Summary;
using CeAgent.TestKit;
using CeIsp.Collector;
using CeIsp.Resolver;
using CeIsp.Store;
using CeIsp.Tests.Resolver;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CeIsp.Tests.Store;

/// <summary>
/// A schema-2 store (a row a window, no span) opens as schema 3 in place, rows untouched, and answers the
/// resolver as the same messages stored by schema 3 do; new messages then go in as groups beside the old rows.
/// The schema-2 store is made the way schema 2 left it: the scenario collected, then its window index
/// rows rewritten as schema 2 wrote them (one a window), its span column and index dropped, its version set to 2.
/// </summary>
public sealed class Version2MigrationTests : IDisposable
{
    private readonly Scenario S = new();

    /// <summary>Besides the scenario's CEs (a window a message), one that sends five windows a message.</summary>
    public Version2MigrationTests()
    {
        Scenario.Ce m = Scenario.NewCe("ce-m", 5);
        Scenario.Flows(m, [(0, Scenario.D2, 100, 110), (1, Scenario.D1, 130, 140), (2, Scenario.D4, 250, 260), (0, Scenario.D3, 300, 301), (1, Scenario.D2, 420, 430)], perMessage: 5);
        S.Ces.Add(m);
    }
    private Postgres? _pg;
    private readonly List<string> _files = [];

    public void Dispose()
    {
        S.Dispose();
        _pg?.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (string f in _files)
            File.Delete(f);
    }

    private (Func<SummaryStore> Open, Func<DbConnection> Raw) New(string kind)
    {
        if (kind == "sqlite")
        {
            string path = Path.GetTempFileName();
            _files.Add(path);
            return (() => SummaryStore.Sqlite(path), () => new SqliteConnection($"Data Source={path}"));
        }
        string cs = (_pg ??= new Postgres()).NewDatabase();
        return (() => SummaryStore.Postgres(cs), () => new NpgsqlConnection(cs));
    }

    private static List<string> Answers(SummaryStore store)
    {
        Observation Obs(long second, FlowKey dst, int? srcPort = null) => new()
        {
            Ip = "192.0.2.18", Time = DateTimeOffset.FromUnixTimeSeconds(Scenario.T0 + second), TimeAccuracyMs = 1000, SrcPort = srcPort,
            DstIp = dst.Destination.ToString(), DstPort = dst.Port, Proto = dst.Proto.ToString().ToLowerInvariant(),
        };
        Observation[][] requests = [[Obs(15, Scenario.D1)], [Obs(15, Scenario.D1), Obs(205, Scenario.D2)], [Obs(1250, Scenario.D4)], [Obs(400, Scenario.D3)], [Obs(15, Scenario.D3, 1024)], [Obs(105, Scenario.D2), Obs(255, Scenario.D4)], [Obs(425, Scenario.D2)]];
        return [.. requests.Select(r => new AddressResolver(store, Scenario.MasterKey).Resolve(new DisclosureRequest { Requester = "test", Observations = [.. r] }))
            .Select(v => $"{v.Result} {v.Line} [{string.Join(", ", v.Candidates.Select(c => $"{c.CeId}: {string.Join(" ", c.Evidence.Select(e => $"{e.Seq}/{e.WindowStart}"))}"))}] [{string.Join(", ", v.NoEvidence.Select(n => n.CeId))}]")];
    }

    /// <summary>Turns the store into what schema 2 wrote for the same messages.</summary>
    private void Downgrade(DbConnection db)
    {
        RawSql.Exec(db, "DELETE FROM windows; DROP INDEX windows_near; DROP INDEX windows_loose; ALTER TABLE windows DROP COLUMN span; CREATE INDEX windows_near ON windows (ipv4, start, length, clock_error, ce_id, seq); UPDATE store_meta SET value = '2' WHERE name = 'schema'");
        foreach (Scenario.Ce ce in S.Ces)
            for (int i = 0; i < ce.Messages.Count; i++)
            {
                SummaryMessage m = SummaryCodec.Decode(CoseSign1.Parse(ce.Messages[i]).Payload);
                for (int w = 0; w < m.Windows.Count; w++)
                    RawSql.Exec(db, "INSERT INTO windows (day, ce_id, seq, idx, start, length, ipv4, psid, clock_sync, clock_error) SELECT day, ce_id, seq, @i, @st, @l, @a, @p, @cs, @ce FROM chain WHERE ce_id = @c AND seq = @s",
                        ("c", ce.Id), ("s", (long)m.Seq), ("i", w), ("st", m.Windows[w].StartUnix), ("l", (int)m.Windows[w].LengthSeconds), ("a", (long)m.Mape.Ipv4),
                        ("p", m.Mape.Psid), ("cs", m.Windows[w].Clock.Synchronized ? 1 : 0), ("ce", ListingReach.ErrorOf(m.Windows[w].Clock.MaxErrorMs)));
            }
    }

    private static long Scalar(DbConnection db, string sql)
    {
        using DbCommand c = db.CreateCommand();
        c.CommandText = sql;
        return Convert.ToInt64(c.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory, OnSqlite, OnPostgres]
    public void A_schema_2_store_migrates_in_place_and_answers_as_schema_3_does(string kind)
    {
        var (open, raw) = New(kind);
        var late = S.Ces[2];
        List<string> expected;
        var stored = S.Ces.SelectMany(c => c.Messages.Where((_, i) => !(c == late && i == 1))).Select(m => SummaryCodec.Decode(CoseSign1.Parse(m).Payload)).ToList();
        long windows = stored.Sum(m => m.Windows.Count);
        long groups = stored.Sum(m => WindowGroups.Of([.. m.Windows.Select((w, i) => new WindowRow(m.CeId, (long)m.Seq, i, w.StartUnix, (int)w.LengthSeconds, m.Mape.Ipv4, m.Mape.Psid, true, 0))]).Count);
        using (SummaryStore store = open())
        {
            S.Enroll(store);
            var collector = new SummaryCollector(store, trustOnFirstUse: false);
            foreach (var ce in S.Ces)
                for (int i = 0; i < ce.Messages.Count; i++)
                    if (!(ce == late && i == 1))
                        Assert.Equal(IngestOutcome.Stored, collector.Ingest($"ce/v1/{ce.Id}/summary", ce.Messages[i]).Outcome);
            expected = Answers(store);
            Assert.StartsWith("Unique line-a", expected[1], StringComparison.Ordinal);
            Assert.Contains("[ce-m: 1/", expected[5], StringComparison.Ordinal); // found in a five-window message
            Assert.Equal(groups, store.Count("windows"));
            Assert.True(groups < windows, $"the scenario's {windows} windows make {groups} groups: nothing to migrate");
        }
        using (DbConnection db = raw())
        {
            db.Open();
            Downgrade(db);
        }
        using (SummaryStore store = open())
        {
            Assert.Equal(windows, store.Count("windows"));
            Assert.Equal(expected, Answers(store));
            // The missing message arrives after the migration: stored as groups, and the gap it fills is cleared.
            Assert.Contains(store.ChainEvents(late.Id), e => e.Kind == ChainEventKind.Gap);
            Assert.Equal(IngestOutcome.Stored, new SummaryCollector(store, false).Ingest($"ce/v1/{late.Id}/summary", late.Messages[1]).Outcome);
            Assert.DoesNotContain(store.ChainEvents(late.Id), e => e.Kind == ChainEventKind.Gap);
        }
        using (DbConnection db = raw())
        {
            db.Open();
            Assert.Equal(SummaryStore.SchemaVersion, Scalar(db, "SELECT CAST(value AS INTEGER) FROM store_meta WHERE name = 'schema'"));
            Assert.Equal(windows, Scalar(db, "SELECT COUNT(*) FROM windows WHERE span IS NULL"));
            Assert.Equal(1, Scalar(db, "SELECT COUNT(*) FROM windows WHERE span IS NOT NULL"));
        }
    }
}
