using System.Globalization;

namespace CeAgent.Shared.Time;

/// <summary>UTC instants as RFC 3339 text with nanoseconds, the form every tool of the project prints.</summary>
public static class Rfc3339
{
    public static string FromUnixNs(long ns)
    {
        long seconds = Math.DivRem(ns, 1_000_000_000, out long frac);
        if (frac < 0)
        {
            seconds--;
            frac += 1_000_000_000;
        }
        return DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            + "." + frac.ToString("D9", CultureInfo.InvariantCulture) + "Z";
    }

    public static long NowUnixNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
}
