using System.Data.Common;
using CeAgent.Shared.Summary;

namespace CeIsp.Store;

/// <summary>A CE that held the address: one of its sequences there, and the PSID the index names.</summary>
public sealed record Holder(string CeId, int Psid, long AnySeq);

/// <summary>What the store knows near one address and time, read in one round trip.</summary>
/// <param name="Messages">Each message with windows that may list an interval at that time (by its window
/// groups), once, with its signed bytes unless the caller said it has them (null then).</param>
public sealed record AddressNear(IReadOnlyList<Holder> Holders, IReadOnlyList<(string CeId, long Seq, byte[]? Signed)> Messages);

/// <summary>What decides whether a CE without windows at a time was idle or silent: its line, the extent
/// of its records (UTC seconds; null if it has none) and the gaps in its chain near the times asked.</summary>
public sealed record HolderRecords(string CeId, string? Line, (long First, long End)? Span, IReadOnlyList<ChainEvent> Gaps);

/// <summary>The read queries of the resolver, the desk and the fleet report. The resolver's take a fixed
/// number of round trips per request, each bounded by the addresses and times asked, whatever the store holds.</summary>
public sealed partial class SummaryStore
{
    public Device? FindDevice(string ceId) =>
        Query("SELECT ce_id, line, public_key FROM devices WHERE ce_id = @c", r => new Device(r.GetString(0), r.GetString(1), r.GetString(2)), ("c", ceId)).FirstOrDefault();

    /// <summary>The other messages kept for a (CE, sequence) that forked.</summary>
    public IReadOnlyList<byte[]> Forks(string ceId, long seq) =>
        Query("SELECT signed FROM forks WHERE ce_id = @c AND seq = @s ORDER BY received_at", r => (byte[])r.GetValue(0), ("c", ceId), ("s", seq));

    public IReadOnlyList<ChainEvent> ChainEvents(string ceId) =>
        Query("SELECT ce_id, seq, kind, from_time, to_time FROM chain_events WHERE ce_id = @c ORDER BY seq, kind",
            r => new ChainEvent(r.GetString(0), r.GetInt64(1), ChainEventKinds.Parse(r.GetString(2)), r.GetInt64(3), r.GetInt64(4)), ("c", ceId));

    /// <summary>Enrolled CEs with no stored message: any of them may hold any address.</summary>
    public IReadOnlyList<Device> SilentDevices() =>
        Query("SELECT d.ce_id, d.line, d.public_key FROM devices d WHERE NOT EXISTS (SELECT 1 FROM chain c WHERE c.ce_id = d.ce_id) ORDER BY d.ce_id",
            r => new Device(r.GetString(0), r.GetString(1), r.GetString(2)));

    public byte[]? Message(string ceId, long seq) =>
        Query("SELECT m.signed FROM chain c JOIN messages m ON m.day = c.day AND m.ce_id = c.ce_id AND m.seq = c.seq WHERE c.ce_id = @c AND c.seq = @s",
            r => (byte[])r.GetValue(0), ("c", ceId), ("s", seq)).FirstOrDefault();

    /// <summary>Each CE's newest stored message (the fleet report reads its filter key epoch).</summary>
    public IReadOnlyList<(string CeId, long Seq, long ReceivedAt, byte[] Signed)> NewestMessages() =>
        Query("""
            SELECT m.ce_id, m.seq, m.received_at, m.signed FROM chain c
            JOIN (SELECT ce_id, MAX(seq) AS seq FROM chain GROUP BY ce_id) n ON c.ce_id = n.ce_id AND c.seq = n.seq
            JOIN messages m ON m.day = c.day AND m.ce_id = c.ce_id AND m.seq = c.seq
            ORDER BY m.ce_id
            """, r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2), (byte[])r.GetValue(3)));

    /// <summary>Every enrolled CE with when its newest window ends (UTC seconds) and their length, or nulls
    /// if it has sent no window: the fleet report's silence. By primary keys, a few lookups a CE.</summary>
    public IReadOnlyList<(string CeId, string Line, long? LastEnd, int? WindowSeconds)> NewestWindows() =>
        Query("""
            SELECT d.ce_id, d.line, c.end_time,
                (SELECT w.length FROM windows w WHERE w.day = c.day AND w.ce_id = c.ce_id AND w.seq = c.seq AND w.idx = 0)
            FROM devices d LEFT JOIN chain c ON c.ce_id = d.ce_id
                AND c.seq = (SELECT MAX(x.seq) FROM chain x WHERE x.ce_id = d.ce_id AND x.end_time IS NOT NULL)
            ORDER BY d.ce_id
            """, r => (r.GetString(0), r.GetString(1), r.IsDBNull(2) ? (long?)null : r.GetInt64(2), r.IsDBNull(3) ? (int?)null : r.GetInt32(3)));

    /// <summary>The messages received since then (UTC seconds), for what CEs reported about themselves. Read
    /// among the days from two before that day on: a message is filed under its own time, and one that
    /// arrives later than that (a spool emptied after days offline) is left out.</summary>
    public IReadOnlyList<(string CeId, byte[] Signed)> MessagesReceivedSince(long sinceSeconds) => Query("""
        SELECT m.ce_id, m.signed FROM chain c JOIN messages m ON m.day = c.day AND m.ce_id = c.ce_id AND m.seq = c.seq
        WHERE c.day >= @d AND m.day >= @d AND c.received_at >= @s ORDER BY m.ce_id, m.seq
        """, r => (r.GetString(0), (byte[])r.GetValue(1)), ("d", StoreDay.Of(sinceSeconds) - 2), ("s", sinceSeconds));

    /// <summary>The CEs that held the address with windows meeting the margin around the time, and the
    /// messages with a window group the listing reach admits (<see cref="ListingReach"/> on the group's span
    /// and largest clock bound: a superset of the windows it would admit, which the caller checks on the
    /// decoded windows): two statements, one round trip. A message's bytes come by a correlated lookup on
    /// its primary key, not a join (PostgreSQL misjudges the filter's selectivity and would hash the whole
    /// messages table), and only for messages the caller does not hold already.</summary>
    /// <param name="skip">CEs whose windows are not wanted (ruled out already): their holding is still listed.</param>
    /// <param name="known">Messages the caller has read already (on any address): listed without their bytes.</param>
    public AddressNear Near(uint ipv4, ListingReach reach, long marginSeconds, IReadOnlyCollection<string> skip, IReadOnlyCollection<(string CeId, long Seq)> known, bool holdersLast = false)
    {
        IReadOnlyList<Holder> holders = [];
        var messages = new List<(string, long, byte[]?)>();
        Near(ipv4, reach, marginSeconds, skip, known, h => holders = h, (ce, list) => messages.AddRange(list.Select(m => (ce, m.Seq, m.Signed))), holdersLast);
        return new AddressNear(holders, messages);
    }

    /// <summary><see cref="Near(uint, ListingReach, long, IReadOnlyCollection{string}, IReadOnlyCollection{ValueTuple{string, long}})"/>
    /// as it streams in: the holders first, then each CE's messages (in CE order, by sequence) as soon as its
    /// last one is read, so that the caller can work on a CE while the rest is still being read.</summary>
    /// <param name="holdersLast">The holders after the messages, for a caller that needs them only at the end:
    /// the messages come without waiting for the holders' statement (on PostgreSQL the server groups the
    /// holders while the caller works on the messages).</param>
    public void Near(uint ipv4, ListingReach reach, long marginSeconds, IReadOnlyCollection<string> skip, IReadOnlyCollection<(string CeId, long Seq)> known,
        Action<IReadOnlyList<Holder>> holdersRead, Action<string, IReadOnlyList<(long Seq, byte[]? Signed)>> ceRead, bool holdersLast = false)
    {
        var ps = new List<(string, object)>();
        // The skip list as rows of one parameter, not a list of values: PostgreSQL estimates a list's
        // selectivity value by value for every day partition it scans, and planning a list of 40 CEs took
        // 4.8 of this statement's 5.6 ms of planning on the 90-day store (0.8 ms as rows; same plan, same time).
        string notSkipped = skip.Count == 0 ? "" : $"AND ce_id NOT IN ({Rows("x", skip, ps)})";
        string unknown = known.Count == 0 ? "" : $"AND NOT {Among(KeyOf("g"), "k", [.. known.Select(k => MessageKey(k.CeId, k.Seq))], ps, array: true)}";
        var (from, to) = reach.StartRange(marginSeconds);
        long holdersFrom = reach.FromMs / 1000 - marginSeconds, holdersTo = reach.ToMs / 1000 + marginSeconds;
        // Naming the days lets PostgreSQL read only their partitions (StoreDay.Holding), in the message lookup
        // too: without them it plans a lookup into every day's partition, and on 90 days that plan's cost
        // sets off its JIT compiler (0.9 s a query instead of 0.03 s).
        var (d0, d1) = StoreDay.Holding(Math.Min(from, holdersFrom), Math.Max(to, holdersTo));
        // Groups by two indexes: the tight ones (nearly all) over the half hour they can be admitted from,
        // the loose ones over the whole margin (WindowGroups.TightStarts). Unqualified columns, so that
        // SQLite matches the loose branch's condition with the partial index's.
        var (nf, nt) = WindowGroups.TightStarts(reach);
        string admitted = $"day >= @d0 AND day <= @d1 AND ipv4 = @a AND {ListingReach.Sql("start", "COALESCE(span, length)", "clock_error")} {notSkipped}";
        const string holdersSql = "SELECT ce_id, psid, MIN(seq) FROM windows WHERE day >= @d0 AND day <= @d1 AND ipv4 = @a AND start >= @hg AND start <= @ht AND start + COALESCE(span, length) > @hf GROUP BY ce_id, psid;";
        string messagesSql = $"""
            WITH g AS (
                SELECT day, ce_id, seq, start FROM windows WHERE start >= @nf AND start <= @nt AND NOT {WindowGroups.LooseSql} AND {admitted}
                UNION ALL
                SELECT day, ce_id, seq, start FROM windows WHERE start >= @fg AND start <= @t AND {WindowGroups.LooseSql} AND {admitted})
            SELECT g.ce_id, g.seq,
                CASE WHEN ROW_NUMBER() OVER (PARTITION BY g.ce_id, g.seq ORDER BY g.start) = 1 {unknown}
                    THEN (SELECT m.signed FROM messages m WHERE m.day = g.day AND m.day >= @d0 AND m.day <= @d1 AND m.ce_id = g.ce_id AND m.seq = g.seq) END
            FROM g ORDER BY g.ce_id, g.seq;
            """;
        string sql = holdersLast ? messagesSql + "\n" + holdersSql : holdersSql + "\n" + messagesSql;
        int holdersSet = holdersLast ? 1 : 0;
        List<Holder>? holders = [];
        string? ce = null;
        var messages = new List<(long Seq, byte[]? Signed)>();
        void HoldersDone()
        {
            if (holders is not null)
                holdersRead(holders);
            holders = null;
        }
        void CeDone()
        {
            if (ce is not null)
                ceRead(ce, messages);
            (ce, messages) = (null, []);
        }
        QueryEach(sql, (set, r) =>
        {
            if (set == holdersSet)
            {
                CeDone(); // the messages are all read (when they come first)
                holders!.Add(new Holder(r.GetString(0), r.GetInt32(1), r.GetInt64(2)));
                return;
            }
            if (!holdersLast)
                HoldersDone(); // they came first and are all read (when last, they are still to come)
            string rowCe = r.GetString(0);
            long seq = r.GetInt64(1);
            if (rowCe != ce)
            {
                CeDone();
                ce = rowCe;
            }
            if (messages.Count == 0 || messages[^1].Seq != seq) // a message with several groups: its first row has the bytes
                messages.Add((seq, NullableBytes(r, 2)));
        }, [("d0", d0), ("d1", d1), ("a", (long)ipv4), ("hf", holdersFrom), ("hg", holdersFrom - WindowGroups.Seconds), ("ht", holdersTo),
            ("fg", from - WindowGroups.Seconds), ("t", to), ("nf", nf), ("nt", nt), .. reach.Parameters, .. ps]);
        CeDone();
        HoldersDone();
    }

    private string KeyOf(string alias) => _pg ? $"({alias}.ce_id || ':' || {alias}.seq::text)" : $"({alias}.ce_id || ':' || {alias}.seq)";

    private static string MessageKey(string ceId, long seq) => ceId + ":" + seq.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Strings as a JSON array (SQLite's json_each reads it: SQLite has no array parameters).</summary>
    private static string JsonArray(IEnumerable<string> values)
    {
        using var buffer = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (string v in values)
                w.WriteStringValue(v);
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>For each CE: its line, and (for those in <paramref name="needSpan"/>) the extent of its
    /// records and its gaps that meet [fromSeconds, toSeconds]; one round trip. The extent runs from the
    /// first window of its lowest sequence to the end of its highest (the chain table's primary key finds
    /// both at once, however long the CE has reported). Should its clock have stepped back, that extent is
    /// narrower than the true one, which makes the resolver say "unknown" rather than rule the CE out.</summary>
    public IReadOnlyDictionary<string, HolderRecords> RecordsOf(IReadOnlyList<string> ceIds, IReadOnlySet<string> needSpan, long fromSeconds, long toSeconds)
    {
        var result = new Dictionary<string, HolderRecords>();
        if (ceIds.Count == 0)
            return result;
        var ps = new List<(string, object)> { ("f", fromSeconds), ("t", toSeconds) };
        string[] spanned = [.. ceIds.Where(needSpan.Contains)];
        string sql = $"""
            SELECT ce_id, line FROM devices WHERE {Among("ce_id", "c", ceIds, ps)};
            SELECT ce_id, seq, kind, from_time, to_time FROM chain_events WHERE kind = '{ChainEventKinds.Name(ChainEventKind.Gap)}' AND {Among("ce_id", "s", spanned, ps)}
                AND from_time <= @t AND to_time >= @f ORDER BY ce_id, seq;
            SELECT h.ce_id,
                (SELECT c.first_time FROM chain c WHERE c.ce_id = h.ce_id AND c.first_time IS NOT NULL ORDER BY c.seq LIMIT 1),
                (SELECT c.end_time FROM chain c WHERE c.ce_id = h.ce_id AND c.end_time IS NOT NULL ORDER BY c.seq DESC LIMIT 1)
            FROM devices h WHERE {Among("h.ce_id", "h", spanned, ps)};
            """;
        var lines = new Dictionary<string, string>();
        var gaps = new Dictionary<string, List<ChainEvent>>();
        var extent = new Dictionary<string, (long, long)>();
        QueryEach(sql, (set, r) =>
        {
            if (set == 0)
                lines[r.GetString(0)] = r.GetString(1);
            else if (set == 1)
                (gaps.TryGetValue(r.GetString(0), out var g) ? g : gaps[r.GetString(0)] = []).Add(
                    new ChainEvent(r.GetString(0), r.GetInt64(1), ChainEventKinds.Parse(r.GetString(2)), r.GetInt64(3), r.GetInt64(4)));
            else if (!r.IsDBNull(1) && !r.IsDBNull(2))
                extent[r.GetString(0)] = (r.GetInt64(1), r.GetInt64(2));
        }, [.. ps]);
        foreach (string ce in ceIds)
            result[ce] = new HolderRecords(ce, lines.GetValueOrDefault(ce), extent.TryGetValue(ce, out var e) ? e : null, gaps.GetValueOrDefault(ce) ?? []);
        return result;
    }

    /// <summary>A query of the values as rows, from one parameter: an array on PostgreSQL, a JSON array on
    /// SQLite (it has no array parameters).</summary>
    private string Rows(string name, IReadOnlyCollection<string> values, List<(string, object)> ps)
    {
        ps.Add((name, _pg ? values.ToArray() : JsonArray(values)));
        return _pg ? $"SELECT unnest(@{name})" : $"SELECT value FROM json_each(@{name})";
    }

    /// <summary>"The expression is one of the values". SQLite: the values in one JSON array read by json_each
    /// (it has no array parameters): one parameter a value would cost it a parse of the whole list and a
    /// search of every name for every value it binds (hundreds of CEs on one address). PostgreSQL: a
    /// parameter a value, which its planner costs better than one array parameter (measured on the day: 3-5 ms
    /// less server CPU a request), unless <paramref name="array"/>.</summary>
    private string Among(string expression, string name, IReadOnlyCollection<string> values, List<(string, object)> ps, bool array = false)
    {
        if (!_pg)
            return $"({expression} IN ({Rows(name, values, ps)}))";
        if (array)
        {
            ps.Add((name, values.ToArray()));
            return $"({expression} = ANY(@{name}))";
        }
        if (values.Count == 0)
            return $"({expression} IN (NULL))"; // empty
        var names = new List<string>(values.Count);
        foreach (string v in values)
        {
            names.Add($"{name}{names.Count}");
            ps.Add((names[^1], v));
        }
        return $"({expression} IN ({string.Join(", ", names.Select(n => "@" + n))}))";
    }

    /// <summary>Runs statements sent together (one round trip on PostgreSQL), each row handed over with
    /// the index of the statement it came from. On PostgreSQL they are planned for their values every time:
    /// a prepared statement's generic plan knows neither the address nor the times, so it misjudges every
    /// range (one row where there are thousands), scans the wrong index for the loose groups, sorts where
    /// it should hash and prunes the day partitions only as it runs. Custom plans halved the server's CPU a
    /// request on the bench's day (docs/benchmarks.md, session 18); the collector's statements keep theirs.</summary>
    private void QueryEach(string sql, Action<int, DbDataReader> read, (string, object)[] ps)
    {
        if (_pg)
            sql = $"SET plan_cache_mode = force_custom_plan;\n{sql.TrimEnd().TrimEnd(';')};\nRESET plan_cache_mode";
        using DbCommand c = Command(sql, ps);
        using DbDataReader r = c.ExecuteReader();
        int set = 0;
        do
        {
            if (r.FieldCount == 0)
                continue; // SET and RESET return no rows
            while (r.Read())
                read(set, r);
            set++;
        }
        while (r.NextResult());
    }
}
