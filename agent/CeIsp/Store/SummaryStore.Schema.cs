using System.Data.Common;

namespace CeIsp.Store;

/// <summary>
/// The schema (version 3): messages and windows partitioned by UTC day, a small unpartitioned chain table
/// keyed by (CE, sequence) alone. PostgreSQL needs a partitioned table's keys to include the partition key,
/// so (CE, sequence) could not be unique across days in messages itself: the chain table is what makes a
/// repeat a repeat (and a different message a fork) whichever day it claims, and it answers the chain
/// checks without touching the large tables. SQLite has no partitions: the same tables carry the day in
/// their first key column, and a day goes in one DELETE per table (docs/isp.md says why not a file a day).
/// Version 3 indexes a message's windows by groups (<see cref="WindowGroups"/>, usually one row a message)
/// with a span column; a version 2 row is one window, its span null (the window's own length).
/// </summary>
public sealed partial class SummaryStore
{
    public const int SchemaVersion = 3;
    private const long SchemaLock = 7097001, PartitionLock = 7097002;
    private readonly HashSet<int> _partitions = [];

    private string Blob => _pg ? "BYTEA" : "BLOB";

    private string PartitionedBy => _pg ? " PARTITION BY RANGE (day)" : "";

    /// <summary>Creates what is missing, and migrates a version 1 store (no day column) or a version 2 one
    /// (a window a row, no span) in place. On
    /// PostgreSQL under an advisory lock: collectors that start together would otherwise race in CREATE
    /// TABLE IF NOT EXISTS and one would fail on the catalog's unique index.</summary>
    private void Migrate()
    {
        using DbTransaction tx = _db.BeginTransaction();
        if (_pg)
            Exec(tx, $"SELECT pg_advisory_xact_lock({SchemaLock})");
        bool v1 = HasTable(tx, "messages") && !HasColumn(tx, "messages", "day");
        if (v1)
            RenameVersion1(tx);
        bool v2 = !v1 && HasTable(tx, "windows") && !HasColumn(tx, "windows", "span");
        if (v2)
            // No rewrite of the rows: a null span is a one-window row, which the readers take as its length.
            Exec(tx, "ALTER TABLE windows ADD COLUMN span BIGINT; DROP INDEX IF EXISTS windows_near;"); // made again with the span
        Exec(tx, Schema);
        if (v2)
            Exec(tx, "UPDATE store_meta SET value = @v WHERE name = 'schema' AND value = '2'", ("v", SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (v1)
            CopyVersion1(tx);
        Exec(tx, "INSERT INTO store_meta (name, value) VALUES ('schema', @v) ON CONFLICT (name) DO NOTHING", ("v", SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        string stored = Query(tx, "SELECT value FROM store_meta WHERE name = 'schema'", r => r.GetString(0))[0];
        if (stored != SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new InvalidOperationException($"the store has schema version {stored}; this ce-isp knows version {SchemaVersion}: run the ce-isp that wrote it, or a newer one");
        tx.Commit();
    }

    private string Schema => $"""
        CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS devices (ce_id TEXT PRIMARY KEY, line TEXT NOT NULL, public_key TEXT NOT NULL, enrolled_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS chain (ce_id TEXT NOT NULL, seq BIGINT NOT NULL, day INTEGER NOT NULL, prev_hash {Blob} NOT NULL, hash {Blob} NOT NULL,
            first_time BIGINT, end_time BIGINT, received_at BIGINT NOT NULL, PRIMARY KEY (ce_id, seq));
        CREATE INDEX IF NOT EXISTS chain_by_day ON chain (day);
        CREATE TABLE IF NOT EXISTS messages (day INTEGER NOT NULL, ce_id TEXT NOT NULL, seq BIGINT NOT NULL, received_at BIGINT NOT NULL,
            signed {Blob} NOT NULL, PRIMARY KEY (day, ce_id, seq)){PartitionedBy};
        CREATE TABLE IF NOT EXISTS windows (day INTEGER NOT NULL, ce_id TEXT NOT NULL, seq BIGINT NOT NULL, idx INTEGER NOT NULL, start BIGINT NOT NULL,
            length INTEGER NOT NULL, ipv4 BIGINT NOT NULL, psid INTEGER NOT NULL, clock_sync INTEGER NOT NULL, clock_error BIGINT NOT NULL,
            span BIGINT, PRIMARY KEY (day, ce_id, seq, idx)){PartitionedBy};
        CREATE INDEX IF NOT EXISTS windows_near ON windows (ipv4, start, span, length, clock_error, ce_id, seq, psid, day);
        CREATE INDEX IF NOT EXISTS windows_loose ON windows (ipv4, start) WHERE {WindowGroups.LooseSql};
        CREATE TABLE IF NOT EXISTS chain_events (ce_id TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, from_time BIGINT NOT NULL,
            to_time BIGINT NOT NULL, PRIMARY KEY (ce_id, seq, kind));
        CREATE TABLE IF NOT EXISTS forks (ce_id TEXT NOT NULL, seq BIGINT NOT NULL, hash {Blob} NOT NULL, received_at BIGINT NOT NULL,
            signed {Blob} NOT NULL, PRIMARY KEY (ce_id, seq, hash));
        """;

    private bool HasTable(DbTransaction tx, string table) => Query(tx, _pg
        ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @t"
        : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @t", r => r.GetInt64(0), ("t", table))[0] > 0;

    private bool HasColumn(DbTransaction tx, string table, string column) => Query(tx, _pg
        ? "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @t AND column_name = @c"
        : "SELECT COUNT(*) FROM pragma_table_info(@t) WHERE name = @c", r => r.GetInt64(0), ("t", table), ("c", column))[0] > 0;

    /// <summary>Version 1 kept messages and windows unpartitioned, keyed by (CE, sequence). Their names
    /// (and on PostgreSQL their key indexes' names) are moved aside for the new tables.</summary>
    private void RenameVersion1(DbTransaction tx)
    {
        Exec(tx, "DROP INDEX IF EXISTS windows_near; ALTER TABLE messages RENAME TO messages_v1; ALTER TABLE windows RENAME TO windows_v1;");
        if (_pg)
            Exec(tx, "ALTER INDEX messages_pkey RENAME TO messages_v1_pkey; ALTER INDEX windows_pkey RENAME TO windows_v1_pkey;");
    }

    /// <summary>Moves a version 1 store's rows into version 2 in the migrating transaction: all or nothing.
    /// The day of each message by the same rule as the collector's, against its own reception time.</summary>
    private void CopyVersion1(DbTransaction tx)
    {
        var spans = Query(tx, """
            SELECT m.ce_id, m.seq, m.received_at, MIN(w.start), MAX(w.start + w.length) FROM messages_v1 m
            LEFT JOIN windows_v1 w ON w.ce_id = m.ce_id AND w.seq = m.seq GROUP BY m.ce_id, m.seq, m.received_at
            """, r => (Ce: r.GetString(0), Seq: r.GetInt64(1), Received: r.GetInt64(2), First: NullableInt64(r, 3), End: NullableInt64(r, 4)));
        foreach (var s in spans)
            Exec(tx, """
                INSERT INTO chain (ce_id, seq, day, prev_hash, hash, first_time, end_time, received_at)
                SELECT ce_id, seq, @d, prev_hash, hash, @f, @e, received_at FROM messages_v1 WHERE ce_id = @c AND seq = @s
                """, ("c", s.Ce), ("s", s.Seq), ("d", StoreDay.ForMessage(s.First, s.Received, int.MaxValue / 2)),
                ("f", (object?)s.First ?? DBNull.Value), ("e", (object?)s.End ?? DBNull.Value));
        foreach (int day in Query(tx, "SELECT DISTINCT day FROM chain", r => r.GetInt32(0)))
            CreatePartitions(tx, day);
        Exec(tx, """
            INSERT INTO messages (day, ce_id, seq, received_at, signed)
                SELECT c.day, m.ce_id, m.seq, m.received_at, m.signed FROM messages_v1 m JOIN chain c ON c.ce_id = m.ce_id AND c.seq = m.seq;
            INSERT INTO windows (day, ce_id, seq, idx, start, length, ipv4, psid, clock_sync, clock_error)
                SELECT c.day, w.ce_id, w.seq, w.idx, w.start, w.length, w.ipv4, w.psid, w.clock_sync, w.clock_error
                FROM windows_v1 w JOIN chain c ON c.ce_id = w.ce_id AND c.seq = w.seq;
            DROP TABLE windows_v1;
            DROP TABLE messages_v1;
            """);
    }

    /// <summary>On PostgreSQL, the day's partitions of messages and windows unless this process made them
    /// already (named by the day, yyyyMMdd). Each in a short transaction of its own under an advisory lock:
    /// creating a partition locks its parent, which must not wait for a batch, and collectors race.</summary>
    public void EnsurePartitions(IEnumerable<int> days)
    {
        if (!_pg)
            return;
        foreach (int day in days)
        {
            if (_partitions.Contains(day))
                continue;
            using (DbTransaction tx = _db.BeginTransaction())
            {
                Exec(tx, $"SELECT pg_advisory_xact_lock({PartitionLock})");
                CreatePartitions(tx, day);
                tx.Commit();
            }
            _partitions.Add(day);
        }
    }

    private void CreatePartitions(DbTransaction tx, int day)
    {
        if (!_pg)
            return;
        string name = StoreDay.Name(day);
        // A message's bytes stay in its row up to a page (toast_tuple_target, the most PostgreSQL allows):
        // by default a row over 2 KB (one message in six on the bench's day, the busy CEs' that requests for
        // popular destinations read) has its bytes moved to the TOAST table after a compression attempt that
        // fails (signed filters do not compress), and every read of them costs a second index lookup.
        Exec(tx, $"""
            CREATE TABLE IF NOT EXISTS messages_{name} PARTITION OF messages FOR VALUES FROM ({day}) TO ({day + 1L}) WITH (toast_tuple_target = 8160);
            CREATE TABLE IF NOT EXISTS windows_{name} PARTITION OF windows FOR VALUES FROM ({day}) TO ({day + 1L});
            """);
    }
}
