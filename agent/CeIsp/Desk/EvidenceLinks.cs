using System.Net;
using CeAgent.Shared.Summary;
using CeIsp.Resolver;
using CeIsp.Store;

namespace CeIsp.Desk;

/// <summary>What lets a bundle's holder confirm one filter match without the key: the destination's keyed
/// hash in that window (<see cref="GolombSet.KeyedHash"/>), and the observation's time span it must meet.</summary>
public sealed record FilterMaterial(string CeId, long Seq, int Window, long WindowStart, int Observation,
    string DstIp, int DstPort, string Proto, string KeyedHash, long FromMs, long ToMs);

/// <summary>
/// Ties a verdict's evidence windows to the observations they list, by reading the stored messages again
/// with the same rule the resolver applies (<see cref="WindowMatch.DestinationSeen"/>), and yields the
/// per-window filter material for the evidence bundle.
/// </summary>
public sealed class EvidenceLinks(SummaryStore store, Func<string, uint, byte[]> filterKeyOf, DisclosureRequest request)
{
    private readonly Dictionary<(string, long), SummaryMessage> _messages = [];

    public List<FilterMaterial> Material { get; } = [];

    /// <summary>The observations the candidate's window lists (destination at that time), recording their material.</summary>
    public List<int> ObservationsOf(string ceId, Evidence e)
    {
        if (Message(ceId, e.Seq) is not { } m)
            return [];
        byte[] key = filterKeyOf(ceId, m.FilterKeyEpoch);
        var listed = new List<int>();
        // A busy window may come in several parts: any part of it that lists the destination is evidence.
        for (int index = 0; index < m.Windows.Count; index++)
        {
            WindowSummary w = m.Windows[index];
            if (w.StartUnix != e.WindowStart)
                continue;
            for (int i = 0; i < request.Observations.Count; i++)
            {
                Observation o = request.Observations[i];
                FlowKey dst = Destination(o);
                long t = o.Time.ToUnixTimeMilliseconds();
                if (listed.Contains(i) || !WindowMatch.DestinationSeen(w, key, dst, t - o.TimeAccuracyMs, t + o.TimeAccuracyMs))
                    continue;
                listed.Add(i);
                Material.Add(new FilterMaterial(ceId, e.Seq, index, w.StartUnix, i, o.DstIp, dst.Port, o.Proto,
                    GolombSet.KeyedHash(key, w.StartUnix, dst).ToString("x16"), t - o.TimeAccuracyMs, t + o.TimeAccuracyMs));
            }
        }
        return listed;
    }

    public static FlowKey Destination(Observation o) => new(IPAddress.Parse(o.DstIp), o.Proto == "icmp" ? 0 : o.DstPort ?? 0,
        o.Proto switch { "udp" => Proto.Udp, "icmp" => Proto.Icmp, _ => Proto.Tcp });

    private SummaryMessage? Message(string ceId, long seq)
    {
        if (!_messages.TryGetValue((ceId, seq), out SummaryMessage? m) && store.Message(ceId, seq) is { } signed)
            _messages[(ceId, seq)] = m = SummaryCodec.Decode(CoseSign1.Parse(signed).Payload);
        return m;
    }
}
