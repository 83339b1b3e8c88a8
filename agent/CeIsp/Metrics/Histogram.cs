using System.Globalization;
using System.Text;

namespace CeIsp.Metrics;

/// <summary>A Prometheus histogram: cumulative buckets (upper bounds), sum and count. Not thread-safe.</summary>
public sealed class Histogram(string name, string help, double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length];
    private long _count;
    private double _sum;

    public void Observe(double value)
    {
        _count++;
        _sum += value;
        for (int i = 0; i < bounds.Length; i++)
            if (value <= bounds[i])
                _counts[i]++;
    }

    public long Count => _count;

    public void Render(StringBuilder sb)
    {
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"# HELP {name} {help}\n# TYPE {name} histogram\n");
        for (int i = 0; i < bounds.Length; i++)
            sb.Append(inv, $"{name}_bucket{{le=\"{bounds[i].ToString("R", inv)}\"}} {_counts[i]}\n");
        sb.Append(inv, $"{name}_bucket{{le=\"+Inf\"}} {_count}\n{name}_sum {_sum.ToString("R", inv)}\n{name}_count {_count}\n");
    }
}
