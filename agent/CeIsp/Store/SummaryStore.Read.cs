using System.Data.Common;
using CeAgent.Shared.Summary;

namespace CeIsp.Store;

/// <summary>The read queries of the resolver, the desk and the fleet report.</summary>
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

    private const string WindowColumns = "ce_id, seq, idx, start, length, ipv4, psid, clock_sync, clock_error";

    private static WindowRow ReadWindow(DbDataReader r) =>
        new(r.GetString(0), r.GetInt64(1), r.GetInt32(2), r.GetInt64(3), r.GetInt32(4), (uint)r.GetInt64(5), r.GetInt32(6), r.GetInt32(7) != 0, r.GetInt64(8));

    /// <summary>The CEs with a window on this address starting within [from, to] (UTC seconds), who held it
    /// then, each with one of those messages (it names the CE's MAP-E port set).</summary>
    public IReadOnlyList<(string CeId, long Seq)> HoldersOf(uint ipv4, long from, long to)
    {
        var (d0, d1) = StoreDay.Holding(from, to);
        return Query("SELECT ce_id, MIN(seq) FROM windows WHERE day >= @d0 AND day <= @d1 AND ipv4 = @a AND start >= @f AND start <= @t GROUP BY ce_id",
            r => (r.GetString(0), r.GetInt64(1)), ("d0", d0), ("d1", d1), ("a", (long)ipv4), ("f", from), ("t", to));
    }

    /// <summary>The windows on the address that overlap [fromMs, toMs] (UTC ms) or may list an interval
    /// that meets it (<see cref="WindowMatch.MayList"/>: an interval is listed in the window it ends in, at
    /// most <see cref="SummaryLimits.MaxIntervalSeconds"/> later), each widened by its clock error bound, or
    /// whose bound is unknown; searched among windows starting within the margin (seconds). A pre-filter in
    /// the database for what the resolver still checks. Each comes with its signed message, so the resolver
    /// needs no round trip per message; the message comes with the first of its windows only (null with the
    /// others). (A correlated lookup by primary key, not a join: PostgreSQL
    /// misjudges the filter's selectivity and hashes the whole messages table.)</summary>
    public IReadOnlyList<(WindowRow Row, byte[]? Signed)> WindowsThatMayList(uint ipv4, long fromMs, long toMs, long marginSeconds)
    {
        long from = fromMs / 1000 - marginSeconds, to = toMs / 1000 + SummaryLimits.MaxIntervalSeconds(SummaryLimits.MaxWindowSeconds) + marginSeconds;
        var (d0, d1) = StoreDay.Holding(from, to);
        return Query($"""
            SELECT {string.Join(", ", WindowColumns.Split(", ").Select(c => "w." + c))},
                CASE WHEN ROW_NUMBER() OVER (PARTITION BY w.ce_id, w.seq ORDER BY w.idx) = 1
                    THEN (SELECT m.signed FROM messages m WHERE m.day = w.day AND m.ce_id = w.ce_id AND m.seq = w.seq) END FROM windows w
            WHERE w.day >= @d0 AND w.day <= @d1 AND w.ipv4 = @a AND w.start >= @f AND w.start <= @t
            AND (w.clock_error < 0 OR (w.start * 1000 - w.clock_error <= @tm + (CASE WHEN w.length > {SummaryLimits.IntervalCapSeconds} THEN w.length ELSE {SummaryLimits.IntervalCapSeconds} END) * 1000
                AND (w.start + w.length) * 1000 - 1 + w.clock_error >= @fm)) ORDER BY w.ce_id, w.start
            """, r => (ReadWindow(r), r.IsDBNull(9) ? null : (byte[])r.GetValue(9)),
            ("d0", d0), ("d1", d1), ("a", (long)ipv4), ("f", from), ("t", to), ("fm", fromMs), ("tm", toMs));
    }

    /// <summary>From the first window's start to the last window's end the CE ever sent (UTC seconds), or
    /// null: outside it the resolver cannot tell idleness from silence.</summary>
    public (long First, long End)? RecordSpan(string ceId) =>
        Query("SELECT MIN(first_time), MAX(end_time) FROM chain WHERE ce_id = @c",
            r => r.IsDBNull(0) ? ((long, long)?)null : (r.GetInt64(0), r.GetInt64(1)), ("c", ceId))[0];

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
}
