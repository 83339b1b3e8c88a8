using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using CeAgent.Bench.Agent;
using CeIsp.Store;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace CeIsp.Bench;

/// <summary>
/// The history a 90-day store holds besides the day the requests ask about, written as index rows in
/// bulk (not signed messages: 4,096 CEs x 90 days of real messages would be some 80 GB and hours of
/// signing). 16 addresses of 256 CEs each (4,096 CEs); every CE sends <see cref="WindowsPerDay"/> windows
/// of 120 s a day (one slot in 20: a household active some 70 minutes a day, spread over it) in messages of
/// <see cref="PerMessage"/>, each a chain row, a message row (a placeholder instead of signed bytes) and
/// its window rows, filed under their day as the collector files them. The 256 CEs of the requests'
/// address (192.0.2.18) have 89 days of this before the real day, their chains continuing into it; the
/// other 3,840 have all 90 days. No bulk window starts after 22:50 UTC, so none falls inside the
/// resolver's one-hour margin around a time on the real day: every window a request reads is real.
/// </summary>
public static class StoreHistory
{
    public const int Days = 90, Addresses = 16, PerAddress = 256, WindowSeconds = 120, WindowsPerDay = 35, PerMessage = 5;
    public const int MessagesPerDay = WindowsPerDay / PerMessage;
    public static readonly int RealDay = (int)(SummaryConfig.DayStartMs / 1000 / StoreDay.Seconds);
    private const uint TargetIpv4 = 0xC0000212; // 192.0.2.18, the address of the attribution workload
    private const long ClockErrorMs = 50;

    public static long WindowRows => (long)Addresses * PerAddress * Days * WindowsPerDay - PerAddress * WindowsPerDay;

    /// <summary>Where a real household's chain continues: after its 89 bulk days, linked to their hash.</summary>
    public static (ulong LastSeq, byte[] LastHash) ChainStart(int household) =>
        ((ulong)((Days - 1) * MessagesPerDay), Hash(DayOfSummaries.CeId(household)));

    private static byte[] Hash(string ceId) => SHA256.HashData(Encoding.UTF8.GetBytes("bulk history " + ceId));

    private static string CeId(int address, int h) => address == 0 ? DayOfSummaries.CeId(h) : $"bulk-{address:x2}-{h:x2}";

    private sealed record Row(int Day, string CeId, long Seq, long First, byte[] Hash, uint Ipv4, int Psid);

    /// <summary>Every bulk message in order, with its day; its windows are derived from it.</summary>
    private static IEnumerable<Row> Messages()
    {
        for (int a = 0; a < Addresses; a++)
            for (int h = 0; h < PerAddress; h++)
            {
                string ce = CeId(a, h);
                byte[] hash = Hash(ce);
                uint ipv4 = a == 0 ? TargetIpv4 : 0xC6120000u + (uint)a; // 198.18.0.a: addresses nobody asks about
                long seq = 0;
                int lastDay = a == 0 ? RealDay - 1 : RealDay;
                for (int day = RealDay - Days + 1; day <= lastDay; day++)
                    for (int m = 0; m < MessagesPerDay; m++)
                        yield return new Row(day, ce, ++seq, Slot(day, h, m * PerMessage), hash, ipv4, h);
            }
    }

    /// <summary>The k-th window of the day: slot 20k (+ a per-CE offset 0-4) of the 720 slots of 120 s.</summary>
    private static long Slot(int day, int h, int k) => day * StoreDay.Seconds + (k * 20 + h % 5) * WindowSeconds;

    /// <summary>Writes the history into a new store (schema made by <see cref="SummaryStore"/>, partitions
    /// included), through the fastest path each engine has: one prepared statement in one transaction on
    /// SQLite, binary COPY on PostgreSQL.</summary>
    public static void Write(SummaryStore store, string kind, string target, TextWriter log)
    {
        store.EnsurePartitions(Enumerable.Range(RealDay - Days + 1, Days));
        for (int a = 1; a < Addresses; a++)
            for (int h = 0; h < PerAddress; h++)
                store.Enroll(new Device(CeId(a, h), $"line-{a:d2}-{h:d3}", "(bulk history: no key)"));
        long n = 0;
        if (kind == "postgres")
        {
            using var db = new NpgsqlConnection(target);
            db.Open();
            using (var chain = db.BeginBinaryImport("COPY chain (ce_id, seq, day, prev_hash, hash, first_time, end_time, received_at) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (Row r in Messages())
                    Write(chain, [r.CeId, r.Seq, r.Day, r.Hash, r.Hash, r.First, End(r), End(r) + 60]);
                chain.Complete();
            }
            using (var messages = db.BeginBinaryImport("COPY messages (day, ce_id, seq, received_at, signed) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (Row r in Messages())
                    Write(messages, [r.Day, r.CeId, r.Seq, End(r) + 60, Array.Empty<byte>()]);
                messages.Complete();
            }
            using var windows = db.BeginBinaryImport("COPY windows (day, ce_id, seq, idx, start, length, ipv4, psid, clock_sync, clock_error, span) FROM STDIN (FORMAT BINARY)");
            foreach (Row r in Messages())
                foreach (WindowGroup g in Groups(r))
                {
                    Write(windows, [r.Day, r.CeId, r.Seq, g.Index, g.Start, g.Length, (long)g.Ipv4, g.Psid, 1, g.ClockErrorMs, g.Span]);
                    if (++n % 2_000_000 == 0)
                        log.WriteLine($"    {n:N0} of {WindowRows:N0} window rows");
                }
            windows.Complete();
            return;
        }
        using var lite = new SqliteConnection($"Data Source={target}");
        lite.Open();
        using (var pragma = lite.CreateCommand())
        {
            pragma.CommandText = "PRAGMA cache_size = -1000000"; // 1 GB: the address index is filled out of order
            pragma.ExecuteNonQuery();
        }
        using DbTransaction tx = lite.BeginTransaction();
        using var c = Prepared(lite, "INSERT INTO chain (ce_id, seq, day, prev_hash, hash, first_time, end_time, received_at) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)", 7);
        using var m = Prepared(lite, "INSERT INTO messages (day, ce_id, seq, received_at, signed) VALUES ($1, $2, $3, $4, X'')", 4);
        using var w = Prepared(lite, "INSERT INTO windows (day, ce_id, seq, idx, start, length, ipv4, psid, clock_sync, clock_error, span) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)", 10);
        foreach (Row r in Messages())
        {
            Run(c, r.CeId, r.Seq, r.Day, r.Hash, r.First, End(r), End(r) + 60);
            Run(m, r.Day, r.CeId, r.Seq, End(r) + 60);
            foreach (WindowGroup g in Groups(r))
            {
                Run(w, r.Day, r.CeId, r.Seq, g.Index, g.Start, g.Length, (long)g.Ipv4, g.Psid, g.ClockErrorMs, g.Span);
                if (++n % 2_000_000 == 0)
                    log.WriteLine($"    {n:N0} of {WindowRows:N0} window rows");
            }
        }
        tx.Commit();
    }

    /// <summary>The message's index rows as the collector writes them (its windows are far apart: a row each).</summary>
    private static List<WindowGroup> Groups(Row r) => WindowGroups.Of([.. Enumerable.Range(0, PerMessage).Select(i =>
        new WindowRow(r.CeId, r.Seq, i, Slot(r.Day, r.Psid, (int)((r.Seq - 1) % MessagesPerDay) * PerMessage + i), WindowSeconds, r.Ipv4, r.Psid, true, ClockErrorMs))]);

    private static long End(Row r) => Slot(r.Day, r.Psid, (int)((r.Seq - 1) % MessagesPerDay) * PerMessage + PerMessage - 1) + WindowSeconds;

    private static void Write(NpgsqlBinaryImporter copy, object[] values)
    {
        copy.StartRow();
        foreach (object v in values)
            switch (v)
            {
                case string s: copy.Write(s, NpgsqlDbType.Text); break;
                case long l: copy.Write(l, NpgsqlDbType.Bigint); break;
                case int i: copy.Write(i, NpgsqlDbType.Integer); break;
                case byte[] b: copy.Write(b, NpgsqlDbType.Bytea); break;
                default: throw new ArgumentException($"no COPY type for {v.GetType()}");
            }
    }

    private static SqliteCommand Prepared(SqliteConnection db, string sql, int parameters)
    {
        var c = db.CreateCommand();
        c.CommandText = sql;
        for (int i = 1; i <= parameters; i++)
            c.Parameters.Add(new SqliteParameter("$" + i, 0L));
        c.Prepare();
        return c;
    }

    private static void Run(SqliteCommand c, params object[] values)
    {
        for (int i = 0; i < values.Length; i++)
            c.Parameters[i].Value = values[i];
        c.ExecuteNonQuery();
    }
}
