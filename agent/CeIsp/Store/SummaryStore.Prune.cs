using System.Data.Common;

namespace CeIsp.Store;

/// <summary>What one retention run removed.</summary>
/// <param name="Days">The days whose messages and windows were dropped (PostgreSQL: whole partitions).</param>
/// <param name="Messages">Messages removed (their chain rows, which the small table keeps one a message).</param>
public sealed record PruneResult(int CutoffDay, IReadOnlyList<int> Days, long Messages, long ChainEvents, long Forks);

/// <summary>
/// Retention: everything filed under a day before the cutoff goes, in one transaction. On PostgreSQL the
/// day's partitions of messages and windows are dropped whole (no row-by-row delete, no bloat to vacuum);
/// on SQLite each table loses the day's rows in one DELETE on the key that leads by day. The chain table
/// loses the same messages' rows; chain events and forks go when they end (were received) before the
/// cutoff. A collector that still wants a dropped day (a message older than this run's cutoff but within
/// its own retention) makes the partition again (see StoreBatch).
/// </summary>
public sealed partial class SummaryStore
{
    /// <param name="cutoffDay">The first day kept (<see cref="StoreDay"/>).</param>
    public PruneResult Prune(int cutoffDay)
    {
        using DbTransaction tx = _db.BeginTransaction();
        if (_pg)
            Exec(tx, $"SELECT pg_advisory_xact_lock({PartitionLock})");
        List<int> days = [.. Days(tx).Where(d => d < cutoffDay)];
        if (_pg)
            foreach (int day in days)
                Exec(tx, $"DROP TABLE IF EXISTS windows_{StoreDay.Name(day)}; DROP TABLE IF EXISTS messages_{StoreDay.Name(day)};");
        else
            Exec(tx, "DELETE FROM windows WHERE day < @d; DELETE FROM messages WHERE day < @d;", ("d", cutoffDay));
        long messages = Exec(tx, "DELETE FROM chain WHERE day < @d", ("d", cutoffDay));
        long cutoff = cutoffDay * StoreDay.Seconds;
        long events = Exec(tx, "DELETE FROM chain_events WHERE to_time < @t", ("t", cutoff));
        long forks = Exec(tx, "DELETE FROM forks WHERE received_at < @t", ("t", cutoff));
        tx.Commit();
        foreach (int day in days)
            _partitions.Remove(day);
        return new PruneResult(cutoffDay, days, messages, events, forks);
    }

    /// <summary>The days that have a partition (PostgreSQL) or rows (SQLite), oldest first.</summary>
    public IReadOnlyList<int> Days() => Days(null);

    private List<int> Days(DbTransaction? tx)
    {
        if (_pg)
            return [.. Query(tx, """
                SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'messages'::regclass
                """, r => r.GetString(0)).Select(n => StoreDay.Parse(n["messages_".Length..])).Order()];
        // One index seek a day rather than a scan of the whole key for DISTINCT.
        var days = new List<int>();
        long? day = long.MinValue;
        while ((day = Query(tx, "SELECT MIN(day) FROM messages WHERE day > @d", r => NullableInt64(r, 0), ("d", day))[0]) is { } d)
            days.Add((int)d);
        return days;
    }
}
