using System.Globalization;

namespace CeIsp.Bench;

/// <summary>CPU seconds used by processes, from /proc/PID/stat (utime + stime): the collector's own and
/// the database server's, so throughput can be stated per core rather than per wall-clock second.</summary>
public static class CpuClock
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static double Of(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0; // the process ended
        }
    }

    /// <summary>All processes with this command name (for PostgreSQL: the postmaster and its backends).</summary>
    public static double OfCommand(string comm) =>
        Directory.EnumerateDirectories("/proc").Select(d => Path.GetFileName(d))
            .Where(d => d.All(char.IsAsciiDigit) && Comm(d) == comm).Sum(d => Of(int.Parse(d, CultureInfo.InvariantCulture)));

    private static string? Comm(string pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static double Self => Of(Environment.ProcessId);
}
