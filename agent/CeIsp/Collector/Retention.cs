using System.Globalization;
using CeIsp.Audit;
using CeIsp.Store;

namespace CeIsp.Collector;

/// <summary>
/// A retention run: drop the days older than the span, and write what went to the audit log. The log is
/// opened (and checked) before anything is dropped, so a run that could not be audited does not happen.
/// </summary>
public static class Retention
{
    /// <summary>The first day kept when days older than <paramref name="olderThanDays"/> go.</summary>
    public static int CutoffDay(long now, int olderThanDays) => StoreDay.Of(now) - olderThanDays;

    public static PruneResult Run(SummaryStore store, int olderThanDays, string auditPath, string actor, long now)
    {
        AuditLog audit = AuditLog.Open(auditPath);
        PruneResult r = store.Prune(CutoffDay(now, olderThanDays));
        audit.Append(new AuditRecord(actor, "prune", Subject: $"before {Date(r.CutoffDay)}", Detail: Describe(r, olderThanDays)));
        return r;
    }

    public static string Describe(PruneResult r, int olderThanDays) =>
        string.Create(CultureInfo.InvariantCulture, $"retention {olderThanDays} days: kept from {Date(r.CutoffDay)}; dropped ")
        + (r.Days.Count == 0 ? "no day" : $"{r.Days.Count} day(s) {Date(r.Days[0])}..{Date(r.Days[^1])}")
        + string.Create(CultureInfo.InvariantCulture, $", {r.Messages} messages, {r.ChainEvents} chain events, {r.Forks} forks");

    private static string Date(int day) => StoreDay.Name(day);
}

/// <summary>Runs <see cref="Retention"/> at most once a UTC day, from the collector's loop.</summary>
public sealed class DailyRetention(SummaryStore store, int days, string auditPath, Action<string> log, Func<long> now)
{
    private int _doneDay = int.MinValue;

    public void Tick()
    {
        long t = now();
        if (StoreDay.Of(t) == _doneDay)
            return;
        _doneDay = StoreDay.Of(t);
        try
        {
            log("retention: " + Retention.Describe(Retention.Run(store, days, auditPath, "ce-isp collect", t), days));
        }
        catch (AuditException e)
        {
            // Nothing was dropped: a run that cannot be audited does not happen. Tried again tomorrow (or at restart).
            log($"error: retention not run, the audit log refused: {e.Message}");
        }
    }
}
