using System.Data.Common;
using CeAgent.Shared.Summary;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CeIsp.Store;

/// <summary>A device the ISP enrolled: CE id, the subscriber line it serves, its public key.</summary>
public sealed record Device(string CeId, string Line, string PublicKeyPem);

/// <summary>One stored window, as the resolver's index sees it; the message holds the rest.</summary>
public sealed record WindowRow(string CeId, long Seq, int Index, long Start, int Length, uint Ipv4, int Psid, bool ClockSynchronized, long ClockErrorMs);

/// <summary>A break in a CE's chain: sequences that never arrived, or a message whose previous hash does
/// not match the stored one.</summary>
public sealed record ChainEvent(string CeId, long Seq, string Kind, long FromTime, long ToTime);

/// <summary>
/// Summaries and the indexes the resolver needs, in SQLite (default) or PostgreSQL: the same SQL for both
/// but for the names of two types. Messages are stored as received (signed bytes) so that evidence can be
/// verified again later; the windows table indexes them by IPv4 address and time.
/// </summary>
public sealed partial class SummaryStore : IDisposable
{
    private readonly DbConnection _db;
    private readonly bool _pg;

    private SummaryStore(DbConnection db, bool pg)
    {
        _db = db;
        _pg = pg;
        _db.Open();
        Migrate();
    }

    public static SummaryStore Sqlite(string path)
    {
        var s = new SummaryStore(new SqliteConnection($"Data Source={path}"), pg: false);
        s.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        return s;
    }

    /// <summary>PostgreSQL, with Npgsql's automatic statement preparation on unless the connection string
    /// says otherwise: the collector runs the same handful of statements for every message.</summary>
    public static SummaryStore Postgres(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase))
            b.MaxAutoPrepare = 32;
        return new(new NpgsqlConnection(b.ConnectionString), pg: true);
    }

    public static SummaryStore Open(string kind, string target) => kind switch
    {
        "sqlite" => Sqlite(target),
        "postgres" => Postgres(target),
        _ => throw new FormatException($"store.kind: '{kind}' is neither sqlite nor postgres"),
    };

    private string Blob => _pg ? "BYTEA" : "BLOB";

    /// <summary>Creates what is missing. On PostgreSQL under an advisory lock: collectors that start together
    /// would otherwise race in CREATE TABLE IF NOT EXISTS and one would fail on the catalog's unique index.</summary>
    private void Migrate()
    {
        using DbTransaction tx = _db.BeginTransaction();
        if (_pg)
            Exec(tx, "SELECT pg_advisory_xact_lock(7097001)");
        Exec(tx, Schema);
        tx.Commit();
    }

    private string Schema => $"""
        CREATE TABLE IF NOT EXISTS devices (ce_id TEXT PRIMARY KEY, line TEXT NOT NULL, public_key TEXT NOT NULL, enrolled_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS messages (ce_id TEXT NOT NULL, seq BIGINT NOT NULL, prev_hash {Blob} NOT NULL, hash {Blob} NOT NULL,
            received_at BIGINT NOT NULL, signed {Blob} NOT NULL, PRIMARY KEY (ce_id, seq));
        CREATE TABLE IF NOT EXISTS windows (ce_id TEXT NOT NULL, seq BIGINT NOT NULL, idx INTEGER NOT NULL, start BIGINT NOT NULL,
            length INTEGER NOT NULL, ipv4 BIGINT NOT NULL, psid INTEGER NOT NULL, clock_sync INTEGER NOT NULL, clock_error BIGINT NOT NULL,
            PRIMARY KEY (ce_id, seq, idx));
        DROP INDEX IF EXISTS windows_by_address;
        CREATE INDEX IF NOT EXISTS windows_near ON windows (ipv4, start, length, clock_error, ce_id, seq);
        CREATE TABLE IF NOT EXISTS chain_events (ce_id TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, from_time BIGINT NOT NULL,
            to_time BIGINT NOT NULL, PRIMARY KEY (ce_id, seq, kind));
        CREATE TABLE IF NOT EXISTS forks (ce_id TEXT NOT NULL, seq BIGINT NOT NULL, hash {Blob} NOT NULL, received_at BIGINT NOT NULL,
            signed {Blob} NOT NULL, PRIMARY KEY (ce_id, seq, hash));
        """;

    public void Enroll(Device d) => Exec(
        "INSERT INTO devices (ce_id, line, public_key, enrolled_at) VALUES (@c, @l, @k, @t) ON CONFLICT (ce_id) DO UPDATE SET line = @l, public_key = @k",
        ("c", d.CeId), ("l", d.Line), ("k", d.PublicKeyPem), ("t", DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public Device? FindDevice(string ceId) =>
        Query("SELECT ce_id, line, public_key FROM devices WHERE ce_id = @c", r => new Device(r.GetString(0), r.GetString(1), r.GetString(2)), ("c", ceId)).FirstOrDefault();

    public byte[]? HashOf(string ceId, long seq) =>
        Query("SELECT hash FROM messages WHERE ce_id = @c AND seq = @s", r => (byte[])r.GetValue(0), ("c", ceId), ("s", seq)).FirstOrDefault();

    public byte[]? PrevHashOf(string ceId, long seq) =>
        Query("SELECT prev_hash FROM messages WHERE ce_id = @c AND seq = @s", r => (byte[])r.GetValue(0), ("c", ceId), ("s", seq)).FirstOrDefault();

    /// <summary>The nearest stored sequence below and above seq, for gap detection.</summary>
    public (long? Below, long? Above) Neighbours(string ceId, long seq) =>
        Query("SELECT (SELECT MAX(seq) FROM messages WHERE ce_id = @c AND seq < @s), (SELECT MIN(seq) FROM messages WHERE ce_id = @c AND seq > @s)",
            r => (r.IsDBNull(0) ? (long?)null : r.GetInt64(0), r.IsDBNull(1) ? (long?)null : r.GetInt64(1)), ("c", ceId), ("s", seq))[0];

    /// <summary>When a stored message's windows begin and end (UTC seconds), for the extent of gaps.</summary>
    public (long Start, long End)? Span(string ceId, long seq) =>
        Query("SELECT MIN(start), MAX(start + length) FROM windows WHERE ce_id = @c AND seq = @s",
            r => r.IsDBNull(0) ? ((long, long)?)null : (r.GetInt64(0), r.GetInt64(1)), ("c", ceId), ("s", seq))[0];

    /// <summary>Stores a verified message and its windows in one transaction; false if it was already there.</summary>
    public bool Insert(string ceId, long seq, byte[] prevHash, byte[] hash, byte[] signed, IReadOnlyList<WindowRow> windows)
    {
        using DbTransaction tx = _db.BeginTransaction();
        int n = Exec(tx, "INSERT INTO messages (ce_id, seq, prev_hash, hash, received_at, signed) VALUES (@c, @s, @p, @h, @t, @m) ON CONFLICT DO NOTHING",
            ("c", ceId), ("s", seq), ("p", prevHash), ("h", hash), ("t", DateTimeOffset.UtcNow.ToUnixTimeSeconds()), ("m", signed));
        if (n == 0)
        {
            tx.Rollback();
            return false;
        }
        if (windows.Count > 0)
        {
            // One statement for all of a message's windows: a round trip each would dominate on PostgreSQL.
            var ps = new List<(string, object)> { ("c", ceId), ("s", seq) };
            var values = new List<string>();
            foreach (WindowRow w in windows)
            {
                int i = values.Count;
                values.Add($"(@c, @s, @i{i}, @st{i}, @l{i}, @a{i}, @p{i}, @cs{i}, @ce{i})");
                ps.AddRange([($"i{i}", w.Index), ($"st{i}", w.Start), ($"l{i}", w.Length), ($"a{i}", (long)w.Ipv4), ($"p{i}", w.Psid),
                    ($"cs{i}", w.ClockSynchronized ? 1 : 0), ($"ce{i}", w.ClockErrorMs)]);
            }
            Exec(tx, "INSERT INTO windows (ce_id, seq, idx, start, length, ipv4, psid, clock_sync, clock_error) VALUES " + string.Join(", ", values), [.. ps]);
        }
        tx.Commit();
        return true;
    }

    /// <summary>Records a break, or a gap at e.Seq unless that message is stored by the time this runs.
    /// Each collector stores its message before it clears and records gaps, so whichever of two collectors
    /// runs last sees the other's message: no stale gap survives a race.</summary>
    public void RecordChainEvent(ChainEvent e) => Exec(
        "INSERT INTO chain_events (ce_id, seq, kind, from_time, to_time) SELECT @c, @s, @k, @f, @t WHERE @k <> 'gap' OR NOT EXISTS "
        + "(SELECT 1 FROM messages WHERE ce_id = @c AND seq = @s) ON CONFLICT DO NOTHING",
        ("c", e.CeId), ("s", e.Seq), ("k", e.Kind), ("f", e.FromTime), ("t", e.ToTime));

    /// <summary>Keeps a second, different message for a (CE, sequence) already stored, as evidence, and
    /// records the fork as a chain event, in one transaction. False if this very message was recorded before.</summary>
    public bool RecordFork(ChainEvent e, byte[] hash, byte[] signed)
    {
        using DbTransaction tx = _db.BeginTransaction();
        int n = Exec(tx, "INSERT INTO forks (ce_id, seq, hash, received_at, signed) VALUES (@c, @s, @h, @t, @m) ON CONFLICT DO NOTHING",
            ("c", e.CeId), ("s", e.Seq), ("h", hash), ("t", DateTimeOffset.UtcNow.ToUnixTimeSeconds()), ("m", signed));
        if (n > 0)
            Exec(tx, "INSERT INTO chain_events (ce_id, seq, kind, from_time, to_time) VALUES (@c, @s, @k, @f, @t) ON CONFLICT DO NOTHING",
                ("c", e.CeId), ("s", e.Seq), ("k", e.Kind), ("f", e.FromTime), ("t", e.ToTime));
        tx.Commit();
        return n > 0;
    }

    /// <summary>The other messages kept for a (CE, sequence) that forked.</summary>
    public IReadOnlyList<byte[]> Forks(string ceId, long seq) =>
        Query("SELECT signed FROM forks WHERE ce_id = @c AND seq = @s ORDER BY received_at", r => (byte[])r.GetValue(0), ("c", ceId), ("s", seq));

    /// <summary>A gap that was later filled (a late message) is no longer a gap.</summary>
    public void ClearGap(string ceId, long seq) => Exec("DELETE FROM chain_events WHERE ce_id = @c AND kind = 'gap' AND seq = @s", ("c", ceId), ("s", seq));

    public IReadOnlyList<ChainEvent> ChainEvents(string ceId) =>
        Query("SELECT ce_id, seq, kind, from_time, to_time FROM chain_events WHERE ce_id = @c ORDER BY seq",
            r => new ChainEvent(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4)), ("c", ceId));

    private const string WindowColumns = "ce_id, seq, idx, start, length, ipv4, psid, clock_sync, clock_error";

    private static WindowRow ReadWindow(DbDataReader r) =>
        new(r.GetString(0), r.GetInt64(1), r.GetInt32(2), r.GetInt64(3), r.GetInt32(4), (uint)r.GetInt64(5), r.GetInt32(6), r.GetInt32(7) != 0, r.GetInt64(8));

    /// <summary>Refreshes the query planner's statistics (PostgreSQL's autovacuum does this on its own
    /// after bulk loads, within a minute or so; SQLite's PRAGMA optimize likewise).</summary>
    public void Analyze() => Exec(_pg ? "ANALYZE" : "PRAGMA optimize");

    public long Count(string table) => Query($"SELECT COUNT(*) FROM {table}", r => r.GetInt64(0))[0];

    private int Exec(string sql, params (string, object)[] ps) => Exec(null, sql, ps);

    private int Exec(DbTransaction? tx, string sql, params (string, object)[] ps)
    {
        using DbCommand c = Command(sql, ps);
        c.Transaction = tx;
        return c.ExecuteNonQuery();
    }

    private List<T> Query<T>(string sql, Func<DbDataReader, T> read, params (string, object)[] ps)
    {
        using DbCommand c = Command(sql, ps);
        using DbDataReader r = c.ExecuteReader();
        var list = new List<T>();
        while (r.Read())
            list.Add(read(r));
        return list;
    }

    private DbCommand Command(string sql, (string Name, object Value)[] ps)
    {
        DbCommand c = _db.CreateCommand();
        c.CommandText = sql;
        foreach (var (name, value) in ps)
        {
            DbParameter p = c.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            c.Parameters.Add(p);
        }
        return c;
    }

    public void Dispose() => _db.Dispose();
}
