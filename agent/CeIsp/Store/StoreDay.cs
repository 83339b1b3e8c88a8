using System.Globalization;
using CeAgent.Shared.Summary;

namespace CeIsp.Store;

/// <summary>
/// The UTC day (days since 1970-01-01) a message and its windows are stored under: the partition key.
/// A message belongs to the day its first window starts, so that a day's partition holds that day's
/// traffic; a message whose windows claim a time the collector cannot believe (before the retention span
/// or more than a day ahead of the collector's clock: a CE without a clock, or a hostile one) is filed under
/// the day it was received instead, so that no sender can make the store create partitions at will.
/// </summary>
public static class StoreDay
{
    public const long Seconds = 86400;

    /// <summary>The longest a message's windows can span: a window starting at most this long before the
    /// end of its message's day partition's last second may still belong to an earlier day.</summary>
    public const long MaxMessageSpanSeconds = (long)SummaryLimits.MaxWindows * SummaryLimits.MaxWindowSeconds;

    public static int Of(long unixSeconds) => (int)Math.Clamp(Math.Floor(unixSeconds / (double)Seconds), int.MinValue, int.MaxValue);

    /// <param name="firstStart">The first window's start (UTC seconds), or null for a message without windows.</param>
    /// <param name="receivedAt">When the collector received it (UTC seconds).</param>
    /// <param name="backfillDays">How far back a message may claim to be (the retention span).</param>
    public static int ForMessage(long? firstStart, long receivedAt, int backfillDays)
    {
        int received = Of(receivedAt);
        if (firstStart is not { } start)
            return received;
        int day = Of(start);
        return day >= (long)received - backfillDays && day <= received + 1 ? day : received;
    }

    /// <summary>The days whose partitions can hold a window starting within [from, to] (UTC seconds),
    /// for a reader to name so that PostgreSQL prunes the other partitions.</summary>
    public static (int First, int Last) Holding(long from, long to) =>
        (Of(Math.Max(from, long.MinValue + MaxMessageSpanSeconds) - MaxMessageSpanSeconds), Of(to));

    private const int LastDate = 2_932_896; // 9999-12-31

    /// <summary>A day's name in partition names: yyyyMMdd, or d and the number for a day no date names
    /// (a collector whose clock says 1969); <see cref="Parse"/> reads both.</summary>
    public static string Name(int day) => day is >= 0 and <= LastDate
        ? DateTime.UnixEpoch.AddDays(day).ToString("yyyyMMdd", CultureInfo.InvariantCulture)
        : "d" + (day < 0 ? "m" + (-(long)day).ToString(CultureInfo.InvariantCulture) : day.ToString(CultureInfo.InvariantCulture));

    public static int Parse(string name) =>
        name.StartsWith("dm", StringComparison.Ordinal) ? (int)-long.Parse(name[2..], CultureInfo.InvariantCulture)
        : name.StartsWith('d') ? int.Parse(name[1..], CultureInfo.InvariantCulture)
        : DateTime.TryParseExact(name, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime d)
            ? (int)(d - DateTime.UnixEpoch).TotalDays
            : throw new FormatException($"'{name}' names no day (yyyyMMdd or d<number>)");
}
