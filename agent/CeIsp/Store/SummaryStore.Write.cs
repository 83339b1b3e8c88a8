using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace CeIsp.Store;

/// <summary>
/// The collector's write path: a batch of verified messages in one transaction (group commit). A message
/// is Stored if its (CE, sequence) was new, a Duplicate if those very bytes were there, a Fork (kept as
/// evidence) if different ones were; then the chain is checked around what was stored. On PostgreSQL the
/// batch takes an advisory lock per CE first, so that two collectors sharing a subscription check a CE's
/// chain one after the other and each sees what the other stored (a gap is never recorded for a message
/// that a concurrent batch is storing); rows go in by binary COPY and the per-message statements become one
/// statement over arrays. SQLite serialises writers anyway and runs the same statements one row at a
/// time, prepared once: with no round trips, that is its fastest path.
/// </summary>
public sealed partial class SummaryStore
{
    private readonly Dictionary<string, DbCommand> _prepared = [];

    /// <summary>SQLite writes a batch's dirty pages to the write-ahead log at each commit and copies them
    /// into the database (and syncs both) at each checkpoint, by default once the log holds 1,000 pages
    /// (4 MB of 4 KB pages). A collector's batch of 256 dirties a leaf of each primary key for nearly every
    /// CE, hundreds of pages, so that came to a checkpoint every few batches; at 40 MB a page rewritten by
    /// several batches is copied once: the storing thread's CPU 44-48 to 34-42 us a message (bench-isp's day,
    /// load 6). Much larger logs were no better: a page read searches the log's index, which grows with it.
    /// In bytes, so that a store of either page size checkpoints at the same size of log.</summary>
    private const long WalCheckpointBytes = 40L << 20;

    public void Enroll(Device d) => Exec(
        "INSERT INTO devices (ce_id, line, public_key, enrolled_at) VALUES (@c, @l, @k, @t) ON CONFLICT (ce_id) DO UPDATE SET line = @l, public_key = @k",
        ("c", d.CeId), ("l", d.Line), ("k", d.PublicKeyPem), ("t", DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    /// <summary>Stores a batch in one transaction; what became of each message, in order.</summary>
    /// <param name="receivedAt">When the batch arrived (UTC seconds): the day of messages whose own time is
    /// not believable (<see cref="StoreDay.ForMessage"/>).</param>
    /// <param name="backfillDays">How far back a message's own day is believed (the retention span).</param>
    public BatchResult StoreBatch(IReadOnlyList<StoredMessage> batch, long receivedAt, int backfillDays)
    {
        try
        {
            return StoreOnce(batch, receivedAt, backfillDays);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation && _partitions.Count > 0)
        {
            // "No partition of relation found for row": a prune elsewhere dropped a day this process made. Again, making it anew.
            _partitions.Clear();
            return StoreOnce(batch, receivedAt, backfillDays);
        }
    }

    private BatchResult StoreOnce(IReadOnlyList<StoredMessage> batch, long receivedAt, int backfillDays)
    {
        var outcomes = new StoreOutcome[batch.Count];
        var events = new List<ChainEvent>();
        if (batch.Count == 0)
            return new(outcomes, events);
        int[] days = [.. batch.Select(m => StoreDay.ForMessage(m.FirstTime, receivedAt, backfillDays))];
        EnsurePartitions(days.Distinct());
        using DbTransaction tx = _db.BeginTransaction();
        if (_pg)
            LockChains(tx, batch.Select(m => m.CeId));
        // The first of several copies of a (CE, sequence) in the batch goes in; the others are judged against it.
        var seen = new HashSet<(string, long)>();
        List<int> first = [.. Enumerable.Range(0, batch.Count).Where(i => seen.Add((batch[i].CeId, batch[i].Seq)))];
        bool[] isNew = InsertChain(tx, [.. first.Select(i => batch[i])], [.. first.Select(i => days[i])], receivedAt);
        List<int> stored = [.. first.Where((_, k) => isNew[k])];
        InsertBodies(tx, [.. stored.Select(i => (batch[i], days[i]))], receivedAt);
        var storedSet = stored.ToHashSet();
        for (int i = 0; i < batch.Count; i++)
            outcomes[i] = storedSet.Contains(i) ? StoreOutcome.Stored : Repeat(tx, batch[i], receivedAt, events);
        CheckChains(tx, [.. stored.Select(i => batch[i])], events);
        tx.Commit();
        return new(outcomes, events);
    }

    /// <summary>Transaction-scoped advisory locks on the batch's CEs, in one order (no deadlock between collectors).</summary>
    private void LockChains(DbTransaction tx, IEnumerable<string> ces) => Exec(tx,
        "SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext(c) AS h FROM unnest(@c::text[]) AS c ORDER BY h) t",
        ("c", ces.Distinct().ToArray()));

    private bool[] InsertChain(DbTransaction tx, IReadOnlyList<StoredMessage> ms, int[] days, long receivedAt)
    {
        if (!_pg)
        {
            DbCommand c = Prepared(tx, "INSERT INTO chain (ce_id, seq, day, prev_hash, hash, first_time, end_time, received_at) VALUES (@c, @s, @d, @p, @h, @f, @e, @r) ON CONFLICT DO NOTHING",
                "c", "s", "d", "p", "h", "f", "e", "r");
            return [.. ms.Select((m, i) => Run(c, m.CeId, m.Seq, days[i], m.PrevHash, m.Hash, Null(m.FirstTime), Null(m.EndTime), receivedAt) == 1)];
        }
        var inserted = Query(tx, """
            INSERT INTO chain (ce_id, seq, day, prev_hash, hash, first_time, end_time, received_at)
            SELECT *, @r FROM unnest(@c::text[], @s::bigint[], @d::int[], @p::bytea[], @h::bytea[], @f::bigint[], @e::bigint[])
            ON CONFLICT DO NOTHING RETURNING ce_id, seq
            """, r => (r.GetString(0), r.GetInt64(1)),
            ("c", ms.Select(m => m.CeId).ToArray()), ("s", ms.Select(m => m.Seq).ToArray()), ("d", days), ("p", ms.Select(m => m.PrevHash).ToArray()),
            ("h", ms.Select(m => m.Hash).ToArray()), ("f", ms.Select(m => m.FirstTime).ToArray()), ("e", ms.Select(m => m.EndTime).ToArray()), ("r", receivedAt)).ToHashSet();
        return [.. ms.Select(m => inserted.Contains((m.CeId, m.Seq)))];
    }

    private void InsertBodies(DbTransaction tx, IReadOnlyList<(StoredMessage M, int Day)> ms, long receivedAt)
    {
        if (_pg)
        {
            CopyBodies(ms, receivedAt);
            return;
        }
        DbCommand message = Prepared(tx, "INSERT INTO messages (day, ce_id, seq, received_at, signed) VALUES (@d, @c, @s, @r, @m)", "d", "c", "s", "r", "m");
        DbCommand window = Prepared(tx, "INSERT INTO windows (day, ce_id, seq, idx, start, length, ipv4, psid, clock_sync, clock_error, span) VALUES (@d, @c, @s, @i, @st, @l, @a, @p, @cs, @ce, @sp)",
            "d", "c", "s", "i", "st", "l", "a", "p", "cs", "ce", "sp");
        foreach (var (m, day) in ms)
        {
            Run(message, day, m.CeId, m.Seq, receivedAt, m.Signed);
            foreach (WindowGroup g in WindowGroups.Of(m.Windows))
                Run(window, day, m.CeId, m.Seq, g.Index, g.Start, g.Length, (long)g.Ipv4, g.Psid, g.ClockSynchronized ? 1 : 0, g.ClockErrorMs, g.Span);
        }
    }

    /// <summary>PostgreSQL's bulk path, inside the batch's transaction (COPY joins the connection's open one).</summary>
    private void CopyBodies(IReadOnlyList<(StoredMessage M, int Day)> ms, long receivedAt)
    {
        var pg = (NpgsqlConnection)_db;
        using (NpgsqlBinaryImporter w = pg.BeginBinaryImport("COPY messages (day, ce_id, seq, received_at, signed) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (m, day) in ms)
            {
                w.StartRow();
                w.Write(day, NpgsqlDbType.Integer);
                w.Write(m.CeId, NpgsqlDbType.Text);
                w.Write(m.Seq, NpgsqlDbType.Bigint);
                w.Write(receivedAt, NpgsqlDbType.Bigint);
                w.Write(m.Signed, NpgsqlDbType.Bytea);
            }
            w.Complete();
        }
        using (NpgsqlBinaryImporter w = pg.BeginBinaryImport("COPY windows (day, ce_id, seq, idx, start, length, ipv4, psid, clock_sync, clock_error, span) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (m, day) in ms)
                foreach (WindowGroup r in WindowGroups.Of(m.Windows))
                {
                    w.StartRow();
                    w.Write(day, NpgsqlDbType.Integer);
                    w.Write(m.CeId, NpgsqlDbType.Text);
                    w.Write(m.Seq, NpgsqlDbType.Bigint);
                    w.Write(r.Index, NpgsqlDbType.Integer);
                    w.Write(r.Start, NpgsqlDbType.Bigint);
                    w.Write(r.Length, NpgsqlDbType.Integer);
                    w.Write((long)r.Ipv4, NpgsqlDbType.Bigint);
                    w.Write(r.Psid, NpgsqlDbType.Integer);
                    w.Write(r.ClockSynchronized ? 1 : 0, NpgsqlDbType.Integer);
                    w.Write(r.ClockErrorMs, NpgsqlDbType.Bigint);
                    w.Write(r.Span, NpgsqlDbType.Bigint);
                }
            w.Complete();
        }
    }

    /// <summary>A (CE, sequence) already stored: the same bytes are a duplicate; different ones are kept
    /// as a fork, once (a fork seen again is a duplicate too).</summary>
    private StoreOutcome Repeat(DbTransaction tx, StoredMessage m, long receivedAt, List<ChainEvent> events)
    {
        byte[]? kept = Query(tx, "SELECT hash FROM chain WHERE ce_id = @c AND seq = @s", r => (byte[])r.GetValue(0), ("c", m.CeId), ("s", m.Seq)).FirstOrDefault();
        if (kept is null || kept.AsSpan().SequenceEqual(m.Hash))
            return StoreOutcome.Duplicate;
        int n = Exec(tx, "INSERT INTO forks (ce_id, seq, hash, received_at, signed) VALUES (@c, @s, @h, @t, @m) ON CONFLICT DO NOTHING",
            ("c", m.CeId), ("s", m.Seq), ("h", m.Hash), ("t", receivedAt), ("m", m.Signed));
        if (n == 0)
            return StoreOutcome.Duplicate;
        RecordChainEvent(tx, new ChainEvent(m.CeId, m.Seq, ChainEventKind.Fork, m.FirstTime ?? 0, m.EndTime ?? 0), events);
        return StoreOutcome.Fork;
    }

    /// <summary>PostgreSQL's batch keys (CE, sequence) as table k, over arrays: the whole batch in one statement.</summary>
    private const string PgBatchKeys = "unnest(@c::text[], @s::bigint[]) AS k(ce_id, seq)";

    /// <summary>Each key's nearest stored sequences below and above, each one seek on the chain's primary
    /// key. On PostgreSQL one statement for the batch (LATERAL: otherwise the planner joins the whole chain
    /// table by hash, a cost that grows with the store), one round trip; on SQLite a key at a time, prepared
    /// once, the two seeks as subqueries of one row (as MAX/MIN subqueries joined back to the chain, SQLite
    /// ran each subquery twice: six seeks instead of two).</summary>
    private string NeighboursSql
    {
        get
        {
            static string Below(string ce, string seq) => $"SELECT c.seq, c.hash, c.end_time FROM chain c WHERE c.ce_id = {ce} AND c.seq < {seq} ORDER BY c.seq DESC LIMIT 1";
            static string Above(string ce, string seq) => $"SELECT c.seq, c.prev_hash, c.first_time, c.end_time FROM chain c WHERE c.ce_id = {ce} AND c.seq > {seq} ORDER BY c.seq LIMIT 1";
            const string Columns = "b.seq, b.hash, b.end_time, a.seq, a.prev_hash, a.first_time, a.end_time";
            return _pg
                ? $"SELECT k.ce_id, k.seq, {Columns} FROM {PgBatchKeys} LEFT JOIN LATERAL ({Below("k.ce_id", "k.seq")}) b ON true LEFT JOIN LATERAL ({Above("k.ce_id", "k.seq")}) a ON true"
                : $"SELECT @c, @s, {Columns} FROM (SELECT 1) LEFT JOIN ({Below("@c", "@s")}) b ON true LEFT JOIN ({Above("@c", "@s")}) a ON true";
        }
    }

    /// <summary>The gaps the batch's messages fill are gaps no longer (on SQLite one seek on the whole primary key a message).</summary>
    private string ClearGapsSql => _pg
        ? $"DELETE FROM chain_events WHERE kind = 'gap' AND (ce_id, seq) IN (SELECT k.ce_id, k.seq FROM {PgBatchKeys})"
        : "DELETE FROM chain_events WHERE ce_id = @c AND seq = @s AND kind = 'gap'";

    private void CheckChains(DbTransaction tx, IReadOnlyList<StoredMessage> ms, List<ChainEvent> events)
    {
        if (ms.Count == 0)
            return;
        static Neighbours Read(DbDataReader r) => new(NullableInt64(r, 2), NullableBytes(r, 3), NullableInt64(r, 4), NullableInt64(r, 5), NullableBytes(r, 6), NullableInt64(r, 7), NullableInt64(r, 8));
        var found = new Dictionary<(string, long), Neighbours>();
        if (_pg)
        {
            // The SELECT first, the DELETE after it in the same round trip (they touch different tables).
            foreach (var (key, n) in Query(tx, NeighboursSql + "; " + ClearGapsSql, r => ((r.GetString(0), r.GetInt64(1)), Read(r)),
                ("c", ms.Select(m => m.CeId).ToArray()), ("s", ms.Select(m => m.Seq).ToArray())))
                found[key] = n;
        }
        else
        {
            DbCommand c = Prepared(tx, ClearGapsSql, "c", "s"), q = Prepared(tx, NeighboursSql, "c", "s");
            foreach (StoredMessage m in ms)
            {
                Run(c, m.CeId, m.Seq);
                SetValues(q, m.CeId, m.Seq);
                using DbDataReader r = q.ExecuteReader();
                r.Read();
                found[(m.CeId, m.Seq)] = Read(r);
            }
        }
        foreach (StoredMessage m in ms)
            foreach (ChainEvent e in ChainCheck.Events(m, found[(m.CeId, m.Seq)]))
                RecordChainEvent(tx, e, events);
    }

    /// <summary>Records a break or a fork, or a gap at e.Seq unless that message is stored by the time this
    /// runs; adds it to <paramref name="events"/> if it was new.</summary>
    private void RecordChainEvent(DbTransaction tx, ChainEvent e, List<ChainEvent> events)
    {
        if (Exec(tx,
        "INSERT INTO chain_events (ce_id, seq, kind, from_time, to_time) SELECT @c, @s, @k, @f, @t WHERE @k <> 'gap' OR NOT EXISTS "
        + "(SELECT 1 FROM chain WHERE ce_id = @c AND seq = @s) ON CONFLICT DO NOTHING",
        ("c", e.CeId), ("s", e.Seq), ("k", ChainEventKinds.Name(e.Kind)), ("f", e.FromTime), ("t", e.ToTime)) > 0)
            events.Add(e);
    }

    /// <summary>A command kept for the life of the store (SQLite keeps it compiled), bound to this transaction.</summary>
    private DbCommand Prepared(DbTransaction tx, string sql, params string[] names)
    {
        if (!_prepared.TryGetValue(sql, out DbCommand? c))
        {
            c = _db.CreateCommand();
            c.CommandText = sql;
            foreach (string name in names)
                AddParameter(c, name, null);
            _prepared[sql] = c;
        }
        c.Transaction = tx;
        return c;
    }

    private static int Run(DbCommand c, params object[] values)
    {
        SetValues(c, values);
        return c.ExecuteNonQuery();
    }

    private static void SetValues(DbCommand c, params object[] values)
    {
        for (int i = 0; i < values.Length; i++)
            c.Parameters[i].Value = values[i];
    }

    private static object Null(long? v) => v is { } x ? x : DBNull.Value;
}
