using System.Globalization;
using System.Text;

namespace CeIsp.Bench;

/// <summary>The 90-day table of docs/benchmarks.md.</summary>
public static class Retention90Report
{
    public static string Render(List<Retention90Result> results, double load)
    {
        if (results.Count == 0)
            return "";
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"**Resolver against 90 days of {StoreHistory.Addresses * StoreHistory.PerAddress:N0} CEs** (the same requests on the real day stored by the collector, over 89 days of bulk index rows: "
            + $"{StoreHistory.WindowsPerDay} windows of {StoreHistory.WindowSeconds} s a CE a day in messages of {StoreHistory.PerMessage}; load average {load:F1} when written):");
        sb.AppendLine().AppendLine("| store | windows | messages | store GB | p50 ms | p99 ms | max ms | resolver CPU p50 / p99 ms | load | sender missed | cold `ce-isp resolve` p50 / max ms |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Retention90Result r in results)
            sb.AppendLine(inv, $"| {r.Store} | {r.Windows:N0} | {r.Messages:N0} | {r.GigaBytes:F1} | {r.Latency.P50Ms:F1} | {r.Latency.P99Ms:F1} | {r.Latency.MaxMs:F1} | {r.Latency.CpuP50Ms:F1} / {r.Latency.CpuP99Ms:F1} | {r.Latency.LoadAverage:F0} | {r.Latency.MissedSender} | {r.ColdP50Ms:F0} / {r.ColdMaxMs:F0} |");
        sb.AppendLine();
        return sb.ToString();
    }
}
