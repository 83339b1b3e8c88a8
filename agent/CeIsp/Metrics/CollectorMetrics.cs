using System.Globalization;
using System.Text;
using CeIsp.Collector;
using CeIsp.Store;

namespace CeIsp.Metrics;

/// <summary>
/// What `ce-isp collect` tells Prometheus, counted as batches are stored (one lock: the collector's
/// thread writes, the scrape reads). Counts are this process's; with several collectors Prometheus sums
/// them. Lag runs from the end of a message's last window (the earliest its CE could send it) to its commit.
/// </summary>
public sealed class CollectorMetrics : ICollectorObserver
{
    private const long Hour = 3600;
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, long> _outcomes = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _rejected = new(StringComparer.Ordinal);
    private readonly long[] _events = new long[Enum.GetValues<ChainEventKind>().Length];
    private readonly Dictionary<string, long> _lastSeen = [];
    private readonly Histogram _commit = new("ce_isp_store_commit_seconds", "Time to store one batch, commit included.",
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    private readonly Histogram _lag = new("ce_isp_delivery_lag_seconds", "From the end of a stored message's last window to its commit.",
        [1, 5, 15, 60, 300, 900, 1800, 3600, 21600, 86400]);

    public void Stored(IReadOnlyList<IngestResult> results, IReadOnlyList<StoredMessage> messages, BatchResult store, TimeSpan commit, long now)
    {
        lock (_lock)
        {
            foreach (IngestResult r in results)
            {
                if (r.RejectionKind is { } kind)
                    _rejected[kind] = _rejected.GetValueOrDefault(kind) + 1;
                else
                    _outcomes[Name(r.Outcome)] = _outcomes.GetValueOrDefault(Name(r.Outcome)) + 1;
            }
            foreach (ChainEvent e in store.Events)
                _events[(int)e.Kind]++;
            if (messages.Count > 0)
                _commit.Observe(commit.TotalSeconds);
            for (int i = 0; i < messages.Count; i++)
            {
                if (store.Outcomes[i] != StoreOutcome.Stored)
                    continue;
                _lastSeen[messages[i].CeId] = now;
                if (messages[i].EndTime is { } end)
                    _lag.Observe(Math.Max(0, now - end));
            }
        }
    }

    /// <summary>The Prometheus text exposition (version 0.0.4) as of <paramref name="now"/> (UTC seconds).</summary>
    public string Render(long now)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        lock (_lock)
        {
            sb.Append("# HELP ce_isp_messages_total Messages the collector took, by outcome (rejections in ce_isp_messages_rejected_total).\n# TYPE ce_isp_messages_total counter\n");
            foreach (IngestOutcome o in Enum.GetValues<IngestOutcome>())
                if (o != IngestOutcome.Rejected)
                    sb.Append(inv, $"ce_isp_messages_total{{outcome=\"{Name(o)}\"}} {_outcomes.GetValueOrDefault(Name(o))}\n");
            sb.Append("# HELP ce_isp_messages_rejected_total Messages rejected, by reason.\n# TYPE ce_isp_messages_rejected_total counter\n");
            foreach (var (reason, n) in _rejected)
                sb.Append(inv, $"ce_isp_messages_rejected_total{{reason=\"{reason}\"}} {n}\n");
            sb.Append("# HELP ce_isp_chain_events_total Chain events recorded: gaps, breaks, forks.\n# TYPE ce_isp_chain_events_total counter\n");
            foreach (ChainEventKind k in Enum.GetValues<ChainEventKind>())
                sb.Append(inv, $"ce_isp_chain_events_total{{kind=\"{ChainEventKinds.Name(k)}\"}} {_events[(int)k]}\n");
            _commit.Render(sb);
            _lag.Render(sb);
            foreach (string stale in _lastSeen.Where(s => s.Value < now - Hour).Select(s => s.Key).ToList())
                _lastSeen.Remove(stale);
            sb.Append(inv, $"# HELP ce_isp_ces_seen_last_hour CEs this collector stored a message of in the last hour.\n# TYPE ce_isp_ces_seen_last_hour gauge\nce_isp_ces_seen_last_hour {_lastSeen.Count}\n");
        }
        return sb.ToString();
    }

    private static string Name(IngestOutcome o) => o.ToString().ToLowerInvariant();
}
