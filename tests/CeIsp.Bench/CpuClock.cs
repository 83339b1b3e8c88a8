using System.Globalization;

namespace CeIsp.Bench;

/// <summary>CPU seconds used by processes, from /proc/PID/stat (utime + stime): the collector's own and
/// the database server's, so throughput can be stated per core rather than per wall-clock second.</summary>
public static class CpuClock
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static double Of(int pid) => Stat(pid) is { } f ? (f[11] + f[12]) / TicksPerSecond : 0; // 0: the process ended

    /// <summary>One PostgreSQL server's CPU: its postmaster (with the reaped backends' time it collected)
    /// and its live backends; not the other servers on a shared machine.</summary>
    public static double OfPostgres(string serverDir)
    {
        int root = int.Parse(File.ReadLines(Path.Combine(serverDir, "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        double total = Stat(root) is { } r ? (r[11] + r[12] + r[13] + r[14]) / TicksPerSecond : 0;
        foreach (string d in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).OfType<string>().Where(d => d.All(char.IsAsciiDigit)))
            if (Stat(int.Parse(d, CultureInfo.InvariantCulture)) is { } f && f[1] == root)
                total += (f[11] + f[12]) / TicksPerSecond;
        return total;
    }

    /// <summary>The numeric fields after the command name (field 3 on), as longs; null if the process is gone.</summary>
    private static long[]? Stat(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return [.. stat[(stat.LastIndexOf(')') + 2)..].Split(' ').Select(x => long.TryParse(x, CultureInfo.InvariantCulture, out long v) ? v : 0)];
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static double Self => Of(Environment.ProcessId);
}
