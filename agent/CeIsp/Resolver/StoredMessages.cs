using System.Collections.Concurrent;
using CeAgent.Shared.Secrets;
using CeAgent.Shared.Summary;
using CeIsp.Store;

namespace CeIsp.Resolver;

/// <summary>The messages one request reads, each read from the store once and decoded once, when first
/// needed, and the filter keys their windows were keyed with. Stored messages were verified and decoded in
/// full on arrival; here only the payload is read from the envelope (no second verification) and decoded
/// without re-reading the filters (a lookup reads its filter strictly, as far as it needs).
/// Messages are added by one thread (the one reading the store) while others decode and test those of
/// CEs already read (the resolver tests the CEs of an observation in parallel, as they arrive).</summary>
internal sealed class StoredMessages(byte[] masterKey)
{
    private readonly ConcurrentDictionary<(string, long), (byte[] Signed, uint Ipv4)> _read = [];
    private readonly ConcurrentDictionary<(string, long), SummaryMessage> _messages = [];
    private readonly ConcurrentDictionary<(string, uint), byte[]> _keys = [];
    // HKDF's extract once per resolver, not per (CE, epoch); lazily, so a bad master key fails where it did.
    private readonly Lazy<FilterKeyDeriver> _deriver = new(() => new FilterKeyDeriver(masterKey));

    /// <param name="ipv4">The address the store listed it for (its windows' address).</param>
    public void Add(string ceId, long seq, byte[] signed, uint ipv4) => _read.TryAdd((ceId, seq), (signed, ipv4));

    public bool Has(string ceId, long seq) => _read.ContainsKey((ceId, seq));

    public SummaryMessage Of(WindowRow r) => Of(r.CeId, r.Seq);

    public SummaryMessage Of(string ceId, long seq) =>
        _messages.GetOrAdd((ceId, seq), k => SummaryCodec.Decode(CoseSign1.ReadPayload(_read[k].Signed), readFilters: false));

    public WindowSummary Window(WindowRow r) => Of(r).Windows[r.Index];

    /// <summary>The key that CE used for that message: derived per CE and per the epoch the message names, so
    /// windows from before a rotation stay resolvable.</summary>
    public byte[] FilterKey(WindowRow r)
    {
        uint epoch = Of(r).FilterKeyEpoch;
        return _keys.GetOrAdd((r.CeId, epoch), k => _deriver.Value.Derive(k.Item1, k.Item2));
    }

    /// <summary>The messages held that were listed for that address: the store need not send them again.</summary>
    public IReadOnlyCollection<(string CeId, long Seq)> KnownOn(uint ipv4) =>
        [.. _read.Where(p => p.Value.Ipv4 == ipv4).Select(p => p.Key)];

    /// <summary>A held message's windows the listing reach admits whose start the search range holds (the
    /// store's index finds groups of windows; this is the rule for each window), as index rows.</summary>
    public IEnumerable<WindowRow> WindowsNear(string ceId, long seq, ListingReach reach, long fromStart, long toStart)
    {
        SummaryMessage m = Of(ceId, seq);
        for (int i = 0; i < m.Windows.Count; i++)
        {
            WindowSummary w = m.Windows[i];
            if (w.StartUnix >= fromStart && w.StartUnix <= toStart && reach.Admits(w))
                yield return new WindowRow(ceId, seq, i, w.StartUnix, (int)w.LengthSeconds, m.Mape.Ipv4, m.Mape.Psid, w.Clock.Synchronized, ListingReach.ErrorOf(w.Clock.MaxErrorMs));
        }
    }
}
