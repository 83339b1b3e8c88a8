using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CeIsp.Store;

/// <summary>
/// Summaries and the indexes the resolver needs, in SQLite (default) or PostgreSQL: the same SQL for both
/// but for the names of two types and the bulk paths. Messages are stored as received (signed bytes) so
/// that evidence can be verified again later; the windows table indexes them by IPv4 address and time.
/// Both are partitioned by UTC day (<see cref="StoreDay"/>, docs/isp.md). This file holds the connection
/// and the helpers; the schema, the write path and the read queries have a file each.
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
        // A resolver request reads some 4 MB of messages scattered over the file: SQLite's default page cache
        // (2 MB a connection) would read most of them again from the OS for every request; 64 MB (filled only
        // as used) and reads through a memory map (no system call a page) keep them at hand.
        if (!pg)
        {
            // The page size first: it takes effect only on a file without pages (a new store), and not once in WAL mode.
            Exec($"PRAGMA page_size={SqlitePageSize}; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;");
            long page = Query("PRAGMA page_size", r => r.GetInt64(0))[0]; // an older store's may be smaller
            Exec($"PRAGMA wal_autocheckpoint={WalCheckpointBytes / page}");
        }
        Migrate();
    }

    /// <summary>The page of a new SQLite store. SQLite's default of 4 KB holds two messages of the bench's
    /// day (1.6 KB on average, up to several KB for a busy CE); at 16 KB a batch dirties and logs fewer pages
    /// (each with its frame header and checksum in the write-ahead log) and splits fewer: the storing
    /// thread's CPU 30.5-37.1 to 22.5-26.1 us a message (three interleaved pairs), the collector 7,591/8,017
    /// to 8,456/8,514 messages per core-second, the resolver's p50 no slower (docs/benchmarks.md, session
    /// 20). 32 KB was no better. A store made with another page size keeps it.</summary>
    public const int SqlitePageSize = 16384;

    public static SummaryStore Sqlite(string path) => new(new SqliteConnection($"Data Source={path}"), pg: false);

    /// <summary>PostgreSQL, with Npgsql's automatic statement preparation on unless the connection string
    /// says otherwise: the collector runs the same handful of statements for every batch.</summary>
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

    public bool IsPostgres => _pg;

    /// <summary>What a store reaches by itself after a bulk load: the query planner's statistics and, on
    /// PostgreSQL, the tables vacuumed (autovacuum does both within a minute or so of the load, as inserts
    /// also trigger it; SQLite's PRAGMA optimize likewise). A benchmark that measures reads right after
    /// loading would otherwise run beside autovacuum's work on the new rows.</summary>
    public void SettleAfterLoad() => Exec(_pg ? "VACUUM (ANALYZE)" : "PRAGMA optimize");

    public long Count(string table) => Query($"SELECT COUNT(*) FROM {table}", r => r.GetInt64(0))[0];

    private int Exec(string sql, params (string, object)[] ps) => Exec(null, sql, ps);

    private int Exec(DbTransaction? tx, string sql, params (string, object)[] ps)
    {
        using DbCommand c = Command(sql, ps);
        c.Transaction = tx;
        return c.ExecuteNonQuery();
    }

    private List<T> Query<T>(string sql, Func<DbDataReader, T> read, params (string, object)[] ps) => Query(null, sql, read, ps);

    private List<T> Query<T>(DbTransaction? tx, string sql, Func<DbDataReader, T> read, params (string, object)[] ps)
    {
        using DbCommand c = Command(sql, ps);
        c.Transaction = tx;
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
            AddParameter(c, name, value);
        return c;
    }

    /// <summary>A parameter named as the SQL spells it ("@c"): Microsoft.Data.Sqlite looks a bare name up
    /// four times a bind (as is, then with each of @ $ :, a new string and UTF-8 copy each), which was a
    /// third of the collector's allocation on SQLite (docs/benchmarks.md, "Collector").</summary>
    private static void AddParameter(DbCommand c, string name, object? value)
    {
        DbParameter p = c.CreateParameter();
        p.ParameterName = "@" + name;
        p.Value = value;
        c.Parameters.Add(p);
    }

    private static long? NullableInt64(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static byte[]? NullableBytes(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<byte[]>(i); // typed: no boxing path

    public void Dispose()
    {
        foreach (DbCommand c in _prepared.Values)
            c.Dispose();
        _db.Dispose();
    }
}
