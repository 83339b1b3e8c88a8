using System.Collections.Concurrent;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeIsp.Store;

namespace CeIsp.Resolver;

/// <summary>
/// Answers a disclosure request from the stored summaries. For each observation, every CE whose windows
/// on that IPv4 address overlap the time (widened by the provider's accuracy and the window's own clock
/// bound) is tested: the port set when the source port was logged, and the attribution filters of the
/// windows that can list the destination at that time (<see cref="ListingReach"/>, <c>WindowMatch.Test</c>).
/// Candidates are intersected across observations. The verdict is honest: "unique" only when exactly one
/// line fits and no other CE is without evidence; "ambiguous" lists the candidates, ranked; "none" only
/// when every CE known to have held the address has complete records covering the time and none fits;
/// "unknown" when none fits but some holder's records are missing (a gap, records that end before or
/// begin after the time, an enrolled CE that never reported) or nobody is known to have held the address.
/// A CE with no window at that time is excluded only if its records cover the time without a gap (idle
/// windows are not sent, so a continuous chain is evidence of idleness).
/// The store is read in one round trip per observation, one for the holders' records, and one more for
/// enrolled CEs that never reported when no line fits: the cost follows the addresses and times asked.
/// The CEs of an observation are tested in parallel (decoding and filter lookups dominate and are per CE);
/// their outcomes are merged in holder order, so the verdict does not depend on the parallelism.
/// </summary>
/// <param name="parallelism">How many CEs to test at once; 0: one per processor. 1 is the sequential path.</param>
public sealed class AddressResolver(SummaryStore store, byte[] masterKey, int parallelism = 0)
{
    /// <summary>How far around the observation to look for windows (a CE's clock bound can be large).</summary>
    public const long SearchMarginSeconds = 3600;

    private enum Status { NoMatch, Unknown, Match, NoWindow }

    private sealed record Found(double Fp, List<Evidence> Evidence, List<string> Notes);

    /// <summary>One CE's test against one observation; Fp, Evidence and Notes only when it matched.</summary>
    private readonly record struct Outcome(Status Status, double Fp = 1.0, List<Evidence>? Evidence = null, List<string>? Notes = null);

    private readonly int _parallelism = parallelism > 0 ? parallelism
        : parallelism == 0 ? Environment.ProcessorCount
        : throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "the parallelism is 0 (one per processor) or a positive count");

    private readonly StoredMessages _messages = new(masterKey);

    public Verdict Resolve(DisclosureRequest request)
    {
        // Per CE and observation: matched, excluded (its windows, or its complete and gap-free records, say
        // no), or unknown (its records do not cover the time). The sender made every observation, so one
        // exclusion rules a CE out.
        // A CE one observation rules out is out (it can be neither a candidate nor without evidence): later
        // observations list its holding but do not read its windows. The first observation reads the whole
        // address; the others, the few CEs still in.
        var found = new Dictionary<string, Found>();
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        var perObservation = new List<Dictionary<string, Status>>();
        foreach (Observation o in request.Observations)
        {
            perObservation.Add(Observe(o, found, excluded));
            excluded.UnionWith(perObservation[^1].Where(p => p.Value == Status.NoMatch).Select(p => p.Key));
        }
        var all = perObservation.SelectMany(p => p.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var seconds = request.Observations.Select(o => (From: o.Time.ToUnixTimeSeconds() - o.TimeAccuracyMs / 1000, To: o.Time.ToUnixTimeSeconds() + o.TimeAccuracyMs / 1000)).ToList();
        var needRecords = all.Where(ce => !excluded.Contains(ce) && perObservation.Any(p => !p.TryGetValue(ce, out Status s) || s == Status.NoWindow)).ToHashSet();
        var records = store.RecordsOf(all, needRecords, seconds.Min(s => s.From), seconds.Max(s => s.To));
        var status = new Dictionary<string, Status[]>();
        var why = new Dictionary<string, string>();
        // An Unknown from the windows themselves (an incomplete window: parts missing, or intervals the CE
        // could not record, as after a crash) has no entry in `why` from Missing: say so rather than throw.
        string Why(string ce) => why.GetValueOrDefault(ce) ?? "a window that could list the access is incomplete (parts missing, or the CE said it could not record every interval)";
        foreach (string ce in all)
        {
            var row = status[ce] = new Status[perObservation.Count];
            for (int i = 0; i < perObservation.Count; i++)
                row[i] = excluded.Contains(ce) ? Status.NoMatch // out already: its records need no reading
                    : perObservation[i].TryGetValue(ce, out Status s) && s != Status.NoWindow ? s
                    : Missing(records[ce], seconds[i].From, seconds[i].To) is { } reason ? Remember(why, ce, reason)
                    : Status.NoMatch;
        }
        string Line(string ce) => records[ce].Line ?? $"unknown line ({ce})";
        var candidates = status.Where(p => p.Value.All(x => x != Status.NoMatch) && p.Value.Contains(Status.Match))
            .Select(p =>
            {
                var (fp, ev, notes) = found[p.Key];
                int unknown = p.Value.Count(x => x == Status.Unknown);
                if (unknown > 0)
                    notes.Add($"no evidence for {unknown} of {p.Value.Length} observations ({Why(p.Key)})");
                return new Candidate(p.Key, Line(p.Key), p.Value.Count(x => x == Status.Match), fp, ev, notes);
            })
            .OrderBy(c => c.FalsePositiveProbability).ThenByDescending(c => c.ObservationsMatched).ToList();
        var unknownCes = status.Where(p => p.Value.All(x => x == Status.Unknown))
            .Select(p => new NoEvidence(p.Key, Line(p.Key), Why(p.Key))).ToList();
        // Before "none": an enrolled CE that never reported may hold the address (its IPv4 is known only from
        // its summaries). With a candidate it changes nothing: the candidate's evidence is positive.
        if (candidates.Count == 0)
            unknownCes.AddRange(store.SilentDevices().Select(d => new NoEvidence(d.CeId, d.Line, "enrolled but has sent nothing: may hold the address")));
        return VerdictRule.Decide(candidates, unknownCes, all.Count);
    }

    private static Status Remember(Dictionary<string, string> why, string ce, string reason)
    {
        why.TryAdd(ce, reason);
        return Status.Unknown;
    }

    /// <summary>Why a CE with no window at that time cannot be ruled out, or null when its records are
    /// complete there (idle windows are not sent, so a gap-free chain on both sides is evidence of idleness).</summary>
    private static string? Missing(HolderRecords r, long from, long to)
    {
        foreach (ChainEvent e in r.Gaps)
            if (e.FromTime <= to && e.ToTime >= from)
                return $"messages missing around that time (sequence {e.Seq})";
        return r.Span switch
        {
            null => "no records at all",
            var (first, _) when first > from => $"its records begin later ({DateTimeOffset.FromUnixTimeSeconds(first):u})",
            var (_, end) when end < to => $"its records end earlier ({DateTimeOffset.FromUnixTimeSeconds(end):u}): silent since, or later messages not yet arrived",
            _ => null,
        };
    }

    /// <summary>The CEs on the observation's address with windows near its time, and what they show. Each CE
    /// is tested as soon as the store has sent its messages, while it reads the next CEs' (on the thread pool
    /// unless the parallelism is 1); the outcomes are merged in holder order, so they do not depend on it.</summary>
    private Dictionary<string, Status> Observe(Observation o, Dictionary<string, Found> found, IReadOnlySet<string> excluded)
    {
        uint ip = IpText.ParseIpv4(o.Ip, "ip");
        long t = o.Time.ToUnixTimeMilliseconds();
        var reach = new ListingReach(t - o.TimeAccuracyMs, t + o.TimeAccuracyMs);
        var dst = new FlowKey(IpText.ParseAddress(o.DstIp, "dstIp", System.Net.Sockets.AddressFamily.InterNetwork), o.Proto == "icmp" ? 0 : o.DstPort ?? 0, o.Proto switch { "udp" => Proto.Udp, "icmp" => Proto.Icmp, _ => Proto.Tcp });
        IReadOnlyList<Holder> holders = [];
        ILookup<string, int> psids = Array.Empty<Holder>().ToLookup(h => h.CeId, h => h.Psid);
        MapRule? rule = null;
        bool ruleRead = false;
        var outcomes = new ConcurrentDictionary<string, Outcome>(StringComparer.Ordinal);
        bool portless = o.SrcPort is null;
        // The port is another CE's under every PSID this CE held the address with: MAP-E rules it out.
        bool PortRulesOut(string ceId) => o.SrcPort is { } sp && rule is not null && !psids[ceId].Any(p => PortSet.For(rule.PsidOffset, rule.PsidLength, p).Contains(sp));
        using (var tests = new CeTests(_parallelism))
        {
            // Messages read for an earlier observation are not read again: the store lists them without bytes.
            store.Near(ip, reach, SearchMarginSeconds, excluded, _messages.KnownOn(ip), h =>
            {
                holders = h;
                psids = h.ToLookup(x => x.CeId, x => x.Psid);
            }, (ceId, messages) =>
            {
                var seqs = new List<long>();
                foreach (var (seq, signed) in messages)
                {
                    if (signed is not null)
                        _messages.Add(ceId, seq, signed, ip);
                    if (_messages.Has(ceId, seq))
                        seqs.Add(seq);
                }
                // The address's rule, from the first message listed on it (every CE on it has its PSID under that rule).
                if (!ruleRead && !portless && seqs.Count > 0)
                    (rule, ruleRead) = (_messages.Of(ceId, seqs[0]).Mape.Rule, true);
                // Without a port the holders come last (the store sends the messages without waiting for
                // them): every CE listed is tested, and the merge below keeps the holders' outcomes only.
                if (!excluded.Contains(ceId) && (portless || (psids.Contains(ceId) && !PortRulesOut(ceId))))
                    tests.Run(() => outcomes[ceId] = Test(WindowsNear(ceId, seqs, reach), o, reach, dst));
            }, holdersLast: portless);
            tests.Wait();
        }
        if (!portless && !ruleRead)
            rule = RuleFromStore(holders, ip);
        var result = new Dictionary<string, Status>();
        foreach (var holder in holders.GroupBy(h => h.CeId))
        {
            string ceId = holder.Key;
            if (excluded.Contains(ceId) || PortRulesOut(ceId))
            {
                result[ceId] = Status.NoMatch; // ruled out by an earlier observation (that stands), or by the port
                continue;
            }
            Outcome r = outcomes.GetValueOrDefault(ceId, new Outcome(Status.NoWindow)); // no message listed: the chain decides
            result[ceId] = r.Status;
            if (r.Status != Status.Match)
                continue;
            Found f = found.GetValueOrDefault(ceId) ?? new Found(1.0, [], []);
            f.Evidence.AddRange(r.Evidence!);
            f.Notes.AddRange(r.Notes!);
            found[ceId] = f with { Fp = f.Fp * r.Fp };
        }
        return result;
    }

    /// <summary>A CE's windows the reach admits in the messages listed for it, in time order. Its messages
    /// are decoded only here: a CE the port rules out costs no decoding.</summary>
    private List<WindowRow> WindowsNear(string ceId, List<long> seqs, ListingReach reach)
    {
        var (from, to) = reach.StartRange(SearchMarginSeconds);
        List<WindowRow> rows = [.. seqs.SelectMany(seq => _messages.WindowsNear(ceId, seq, reach, from, to))];
        rows.Sort((a, b) => (a.Start, a.Seq, a.Index).CompareTo((b.Start, b.Seq, b.Index)));
        return rows;
    }

    /// <summary>One CE's windows near the observation against it (safe to run for several CEs at once).</summary>
    private Outcome Test(List<WindowRow> rows, Observation o, ListingReach reach, FlowKey dst)
    {
        if (rows.Count == 0)
            return new(Status.NoWindow); // the chain decides (idle or gap)
        List<WindowSummary> windows = rows.Select(_messages.Window).ToList();
        PortSet ports = _messages.Of(rows[0]).Mape.Ports;
        WindowTest test = WindowMatch.Test(windows, ports, i => _messages.FilterKey(rows[i]), dst, o.SrcPort, reach.FromMs, reach.ToMs);
        if (test.Matched)
        {
            List<string> notes = [.. Enumerable.Range(0, rows.Count)
                .Where(i => !windows[i].Clock.Synchronized && WindowMatch.Overlaps(windows[i], reach.FromMs, reach.ToMs))
                .Select(i => $"window {rows[i].Start} (seq {rows[i].Seq}): clock not synchronised, bound {(rows[i].ClockErrorMs < 0 ? "unknown" : rows[i].ClockErrorMs + " ms")}")];
            List<Evidence> evidence = [.. test.ListedIn
                .Select(i => new Evidence(rows[i].Seq, rows[i].Start, rows[i].Length, o.SrcPort is not null, windows[i].Clock.Synchronized, rows[i].ClockErrorMs))];
            return new(Status.Match, test.FalseListingChance, evidence, notes);
        }
        if (test.Incomplete)
            return new(Status.Unknown); // a window split into parts not all here, or one that says it is incomplete
        return new(test.Active > 0 ? Status.NoMatch : Status.NoWindow);
    }

    /// <summary>The address's rule when no window near the time was read: from one holder's message.</summary>
    private MapRule? RuleFromStore(IReadOnlyList<Holder> holders, uint ipv4)
    {
        if (holders.Count == 0)
            return null;
        Holder h = holders[0];
        if (!_messages.Has(h.CeId, h.AnySeq))
        {
            if (store.Message(h.CeId, h.AnySeq) is not { } signed)
                return null; // pruned in between: without the rule the port rules nobody out
            _messages.Add(h.CeId, h.AnySeq, signed, ipv4);
        }
        return _messages.Of(h.CeId, h.AnySeq).Mape.Rule;
    }
}
