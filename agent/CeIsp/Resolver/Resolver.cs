using CeAgent.Shared.MapE;
using CeAgent.Shared.Secrets;
using CeAgent.Shared.Summary;
using CeIsp.Store;

namespace CeIsp.Resolver;

/// <summary>
/// Answers a disclosure request from the stored summaries. For each observation, every CE whose windows
/// on that IPv4 address overlap the time (widened by the provider's accuracy and the window's own clock
/// bound) is tested: the port bitmap when the source port was logged, and the attribution filters of the
/// windows that can list the destination at that time (<c>WindowMatch.Test</c>). Candidates are intersected across observations. The verdict is honest: "unique" only when
/// exactly one line fits and no other CE is without evidence; "ambiguous" lists the candidates, ranked;
/// "none" only when every CE known to have held the address has complete records covering the time and
/// none fits; "unknown" when none fits but some holder's records are missing (a gap, records that end
/// before or begin after the time, an enrolled CE that never reported) or nobody is known to have held
/// the address. A CE with no window at that time is excluded only if its records cover the time without a
/// gap (idle windows are not sent, so a continuous chain is evidence of idleness).
/// </summary>
public sealed class Resolver(SummaryStore store, byte[] masterKey)
{
    /// <summary>How far around the observation to look for windows (a CE's clock bound can be large).</summary>
    public const long SearchMarginSeconds = 3600;

    private enum Status { NoMatch, Unknown, Match, NoWindow }

    public Verdict Resolve(DisclosureRequest request)
    {
        // Per CE and observation: matched, excluded (its windows, or its complete and gap-free records, say
        // no), or unknown (its records do not cover the time). The sender made every observation, so one
        // exclusion rules a CE out.
        var status = new Dictionary<string, Status[]>();
        var why = new Dictionary<string, string>();
        var evidence = new Dictionary<string, (double Fp, List<Evidence> Ev, List<string> Notes)>();
        var perObservation = request.Observations.Select(o => Observe(o, evidence)).ToList();
        var all = perObservation.SelectMany(p => p.Keys).Distinct().ToList();
        for (int i = 0; i < perObservation.Count; i++)
            foreach (string ce in all)
            {
                Observation o = request.Observations[i];
                long from = o.Time.ToUnixTimeSeconds() - o.TimeAccuracyMs / 1000, to = o.Time.ToUnixTimeSeconds() + o.TimeAccuracyMs / 1000;
                Status st = perObservation[i].TryGetValue(ce, out Status s) && s != Status.NoWindow ? s
                    : Missing(ce, from, to) is { } reason ? Remember(why, ce, reason)
                    : Status.NoMatch;
                (status.TryGetValue(ce, out Status[]? arr) ? arr : status[ce] = new Status[perObservation.Count])[i] = st;
            }
        var candidates = status.Where(p => p.Value.All(x => x != Status.NoMatch) && p.Value.Contains(Status.Match))
            .Select(p =>
            {
                var (fp, ev, notes) = evidence[p.Key];
                int unknown = p.Value.Count(x => x == Status.Unknown);
                if (unknown > 0)
                    notes.Add($"no evidence for {unknown} of {p.Value.Length} observations ({why[p.Key]})");
                return new Candidate(p.Key, Line(p.Key), p.Value.Count(x => x == Status.Match), fp, ev, notes);
            })
            .OrderBy(c => c.FalsePositiveProbability).ThenByDescending(c => c.ObservationsMatched).ToList();
        var unknownCes = status.Where(p => p.Value.All(x => x == Status.Unknown))
            .Select(p => new NoEvidence(p.Key, Line(p.Key), why[p.Key])).ToList();
        // Before "none": an enrolled CE that never reported may hold the address (its IPv4 is known only from
        // its summaries). With a candidate it changes nothing: the candidate's evidence is positive.
        if (candidates.Count == 0)
            unknownCes.AddRange(store.SilentDevices().Select(d => new NoEvidence(d.CeId, d.Line, "enrolled but has sent nothing: may hold the address")));
        return (candidates.Count, unknownCes.Count) switch
        {
            (1, 0) => new Verdict(VerdictKind.Unique, candidates[0].Line, candidates, unknownCes,
                $"one line fits every observation; chance its match is a filter false positive: {candidates[0].FalsePositiveProbability:G3}"),
            (0, 0) when all.Count == 0 => new Verdict(VerdictKind.Unknown, null, candidates, unknownCes,
                "no CE is known to have held the address at that time (no summaries from it): nobody can be ruled out"),
            (0, 0) => new Verdict(VerdictKind.None, null, candidates, unknownCes,
                $"every CE that held the address ({all.Count}) has complete records covering the time, and none shows this access"),
            (0, _) => new Verdict(VerdictKind.Unknown, null, candidates, unknownCes,
                $"no line fits, but {unknownCes.Count} CE(s) that held or may hold the address have no complete records: {string.Join("; ", unknownCes.Select(n => $"{n.CeId}: {n.Why}"))}"),
            _ => new Verdict(VerdictKind.Ambiguous, null, candidates, unknownCes,
                $"{candidates.Count} line(s) fit{(unknownCes.Count > 0 ? $", and {unknownCes.Count} CE(s) left no evidence either way" : "")}"),
        };
    }

    private static Status Remember(Dictionary<string, string> why, string ce, string reason)
    {
        why.TryAdd(ce, reason);
        return Status.Unknown;
    }

    /// <summary>Why a CE with no window at that time cannot be ruled out, or null when its records are
    /// complete there (idle windows are not sent, so a gap-free chain on both sides is evidence of idleness).</summary>
    private string? Missing(string ceId, long from, long to)
    {
        if (Gap(ceId, from, to) is { } gap)
            return gap;
        return store.RecordSpan(ceId) switch
        {
            null => "no records at all",
            var (first, _) when first > from => $"its records begin later ({DateTimeOffset.FromUnixTimeSeconds(first):u})",
            var (_, end) when end < to => $"its records end earlier ({DateTimeOffset.FromUnixTimeSeconds(end):u}): silent since, or later messages not yet arrived",
            _ => null,
        };
    }

    /// <summary>The CEs on the observation's address with windows near its time, and what they show.</summary>
    private Dictionary<string, Status> Observe(Observation o, Dictionary<string, (double Fp, List<Evidence> Ev, List<string> Notes)> evidenceByCe)
    {
        uint ip = IpText.ParseIpv4(o.Ip, "ip");
        long t = o.Time.ToUnixTimeMilliseconds();
        long from = t - o.TimeAccuracyMs, to = t + o.TimeAccuracyMs;
        var dst = new FlowKey(IpText.ParseAddress(o.DstIp, "dstIp", System.Net.Sockets.AddressFamily.InterNetwork), o.Proto == "icmp" ? 0 : o.DstPort ?? 0, o.Proto switch { "udp" => Proto.Udp, "icmp" => Proto.Icmp, _ => Proto.Tcp });
        var result = new Dictionary<string, Status>();
        long margin = SearchMarginSeconds;
        var nearby = new Dictionary<string, List<WindowRow>>();
        foreach (var (row, signed) in store.WindowsThatMayList(ip, from, to, margin))
        {
            if (signed is not null && !_messages.ContainsKey((row.CeId, row.Seq)))
                _messages[(row.CeId, row.Seq)] = Decode(signed);
            (nearby.TryGetValue(row.CeId, out var list) ? list : nearby[row.CeId] = []).Add(row);
        }
        foreach (var (ceId, anySeq) in store.HoldersOf(ip, from / 1000 - margin, to / 1000 + margin))
        {
            List<WindowRow> rows = nearby.GetValueOrDefault(ceId) ?? [];
            PortSet ports = PortsOf(ceId, rows.Count > 0 ? rows[0].Seq : anySeq);
            if (o.SrcPort is { } sp && !ports.Contains(sp))
            {
                result[ceId] = Status.NoMatch; // that port is another CE's: MAP-E itself rules this one out
                continue;
            }
            List<WindowSummary> windows = rows.Select(Window).ToList();
            WindowTest test = WindowMatch.Test(windows, ports, i => FilterKey(rows[i]), dst, o.SrcPort, from, to);
            var notes = rows.Where(r => !Window(r).Clock.Synchronized && WindowMatch.Overlaps(Window(r), from, to))
                .Select(r => $"window {r.Start} (seq {r.Seq}): clock not synchronised, bound {(r.ClockErrorMs < 0 ? "unknown" : r.ClockErrorMs + " ms")}").ToList();
            var found = test.Matched
                ? test.ListedIn.Select(i => rows[i]).Select(r => new Evidence(r.Seq, r.Start, r.Length, o.SrcPort is not null, Window(r).Clock.Synchronized, r.ClockErrorMs)).ToList()
                : [];
            if (found.Count > 0)
            {
                double fp = test.FalseListingChance;
                var (f, e, n) = evidenceByCe.GetValueOrDefault(ceId, (1.0, [], []));
                e.AddRange(found);
                n.AddRange(notes);
                evidenceByCe[ceId] = (f * fp, e, n);
                result[ceId] = Status.Match;
            }
            else if (test.Incomplete)
                result[ceId] = Status.Unknown; // a window split into parts not all here, or one that says it is incomplete
            else
                result[ceId] = test.Active > 0 ? Status.NoMatch : Status.NoWindow; // no window: the chain decides (idle or gap)
        }
        return result;
    }

    private string? Gap(string ceId, long from, long to)
    {
        foreach (ChainEvent e in store.ChainEvents(ceId))
            if (e.Kind == ChainEventKind.Gap && e.FromTime <= to && e.ToTime >= from)
                return $"messages missing around that time (sequence {e.Seq})";
        return null;
    }

    private readonly Dictionary<(string, long), SummaryMessage> _messages = [];

    private SummaryMessage Message(string ceId, long seq)
    {
        if (!_messages.TryGetValue((ceId, seq), out SummaryMessage? m))
            _messages[(ceId, seq)] = m = Decode(store.Message(ceId, seq)!);
        return m;
    }

    /// <summary>Stored messages were verified and decoded in full on arrival; the resolver decodes them
    /// again but reads a filter's entries only as far as a lookup needs.</summary>
    private static SummaryMessage Decode(byte[] signed) => SummaryCodec.Decode(CoseSign1.Parse(signed).Payload, readFilters: false);

    private readonly Dictionary<(string, uint), byte[]> _keys = [];

    /// <summary>The key that CE used for that message: derived per CE and per the epoch the message names, so
    /// windows from before a rotation stay resolvable.</summary>
    private byte[] FilterKey(WindowRow r)
    {
        uint epoch = Message(r.CeId, r.Seq).FilterKeyEpoch;
        if (!_keys.TryGetValue((r.CeId, epoch), out byte[]? k))
            _keys[(r.CeId, epoch)] = k = FilterKeys.Derive(masterKey, r.CeId, epoch);
        return k;
    }

    private WindowSummary Window(WindowRow r) => Message(r.CeId, r.Seq).Windows[r.Index];

    private PortSet PortsOf(string ceId, long seq) => Message(ceId, seq).Mape.Ports;

    private string Line(string ceId) => store.FindDevice(ceId)?.Line ?? $"unknown line ({ceId})";
}
