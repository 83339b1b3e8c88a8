using CeAgent.Shared.Summary;
using CeIsp.Collector;
using CeIsp.Store;
using Microsoft.Data.Sqlite;

namespace CeIsp.Tests.Collector;

/// <summary>A store written by the schema-1 collector (no days) opens as schema 2 with nothing lost; a store from a newer ce-isp is refused by name.</summary>
public sealed class MigrationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ce-migrate-").FullName;
    private readonly Scenario.Ce _ce = Scenario.NewCe("ce-v", 4);

    public MigrationTests() =>
        Scenario.Flows(_ce, [.. Enumerable.Range(0, 5).Select(i => (i % 4, Scenario.D1, (int)(i * 43_200 + 5), (int)(i * 43_200 + 9)))]);

    public void Dispose()
    {
        _ce.Key.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    /// <summary>The schema-1 tables as that version created them, holding messages 1, 2, 4 and 5 (a gap at 3).</summary>
    private string Version1()
    {
        string path = Path.Combine(_dir, "v1.db");
        using var db = new SqliteConnection($"Data Source={path}");
        db.Open();
        RawSql.Exec(db, """
            CREATE TABLE devices (ce_id TEXT PRIMARY KEY, line TEXT NOT NULL, public_key TEXT NOT NULL, enrolled_at BIGINT NOT NULL);
            CREATE TABLE messages (ce_id TEXT NOT NULL, seq BIGINT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL,
                received_at BIGINT NOT NULL, signed BLOB NOT NULL, PRIMARY KEY (ce_id, seq));
            CREATE TABLE windows (ce_id TEXT NOT NULL, seq BIGINT NOT NULL, idx INTEGER NOT NULL, start BIGINT NOT NULL,
                length INTEGER NOT NULL, ipv4 BIGINT NOT NULL, psid INTEGER NOT NULL, clock_sync INTEGER NOT NULL, clock_error BIGINT NOT NULL,
                PRIMARY KEY (ce_id, seq, idx));
            CREATE INDEX windows_near ON windows (ipv4, start, length, clock_error, ce_id, seq);
            CREATE TABLE chain_events (ce_id TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, from_time BIGINT NOT NULL,
                to_time BIGINT NOT NULL, PRIMARY KEY (ce_id, seq, kind));
            CREATE TABLE forks (ce_id TEXT NOT NULL, seq BIGINT NOT NULL, hash BLOB NOT NULL, received_at BIGINT NOT NULL,
                signed BLOB NOT NULL, PRIMARY KEY (ce_id, seq, hash));
            """);
        RawSql.Exec(db, "INSERT INTO devices VALUES (@c, 'line-v', @k, 1)", ("@c", _ce.Id), ("@k", _ce.Key.ExportSubjectPublicKeyInfoPem()));
        foreach (int seq in new[] { 1, 2, 4, 5 })
        {
            byte[] signed = _ce.Messages[seq - 1];
            SummaryMessage m = SummaryCodec.Decode(CoseSign1.Parse(signed).Payload);
            RawSql.Exec(db, "INSERT INTO messages VALUES (@c, @s, @p, @h, @r, @m)", ("@c", _ce.Id), ("@s", seq), ("@p", m.PrevHash), ("@h", SummaryChain.Hash(signed)),
                ("@r", m.Windows[0].StartUnix + 100), ("@m", signed));
            for (int i = 0; i < m.Windows.Count; i++)
                RawSql.Exec(db, "INSERT INTO windows VALUES (@c, @s, @i, @st, @l, @a, @p, 1, 20)", ("@c", _ce.Id), ("@s", seq), ("@i", i), ("@st", m.Windows[i].StartUnix),
                    ("@l", (long)m.Windows[i].LengthSeconds), ("@a", (long)m.Mape.Ipv4), ("@p", m.Mape.Psid));
        }
        RawSql.Exec(db, "INSERT INTO chain_events VALUES (@c, 3, 'gap', 10, 20)", ("@c", _ce.Id));
        return path;
    }

    [Fact]
    public void A_schema_1_store_is_migrated_in_place_with_nothing_lost()
    {
        Assert.Equal(5, _ce.Messages.Count);
        string path = Version1();
        using (SummaryStore store = SummaryStore.Sqlite(path))
        {
            foreach (int seq in new[] { 1, 2, 4, 5 })
                Assert.Equal(_ce.Messages[seq - 1], store.Message(_ce.Id, seq));
            Assert.Null(store.Message(_ce.Id, 3));
            Assert.Equal((4L, 4L), (store.Count("messages"), store.Count("chain")));
            Assert.Equal(ChainEventKind.Gap, Assert.Single(store.ChainEvents(_ce.Id)).Kind);
            // Twelve hours apart from 11:07 UTC: messages 1-2 on the first day, 4 on the second, 5 on the third.
            int first = StoreDay.Of(Scenario.T0);
            Assert.Equal([first, first + 1, first + 2], store.Days());
            // The late message still fills the gap, and links both ways.
            var c = new SummaryCollector(store, false);
            Assert.Equal(IngestOutcome.Stored, c.Ingest($"ce/v1/{_ce.Id}/summary", _ce.Messages[2]).Outcome);
            Assert.Empty(store.ChainEvents(_ce.Id));
            Assert.Equal(IngestOutcome.Duplicate, c.Ingest($"ce/v1/{_ce.Id}/summary", _ce.Messages[0]).Outcome);
        }
        using (SummaryStore again = SummaryStore.Sqlite(path))
            Assert.Equal(5, again.Count("messages"));
    }

    [Fact]
    public void A_store_of_a_newer_schema_is_refused_naming_the_versions()
    {
        string path = Path.Combine(_dir, "newer.db");
        using (SummaryStore.Sqlite(path))
        {
        }
        using (var db = new SqliteConnection($"Data Source={path}"))
        {
            db.Open();
            RawSql.Exec(db, $"UPDATE store_meta SET value = '{SummaryStore.SchemaVersion + 1}' WHERE name = 'schema'");
        }
        var e = Assert.Throws<InvalidOperationException>(() => SummaryStore.Sqlite(path));
        Assert.Contains($"schema version {SummaryStore.SchemaVersion + 1}", e.Message);
        Assert.Contains($"version {SummaryStore.SchemaVersion}", e.Message);
    }
}
