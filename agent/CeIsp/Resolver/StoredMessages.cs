using CeAgent.Shared.MapE;
using CeAgent.Shared.Secrets;
using CeAgent.Shared.Summary;
using CeIsp.Store;

namespace CeIsp.Resolver;

/// <summary>The messages one request reads, each decoded once, and the filter keys their windows were
/// keyed with. Stored messages were verified and decoded in full on arrival; they are decoded again here
/// without re-reading the filters (a lookup reads its filter strictly, as far as it needs).</summary>
internal sealed class StoredMessages(byte[] masterKey)
{
    private readonly Dictionary<(string, long), SummaryMessage> _messages = [];
    private readonly Dictionary<(string, uint), byte[]> _keys = [];

    public void Add(string ceId, long seq, byte[] signed) =>
        _messages.TryAdd((ceId, seq), SummaryCodec.Decode(CoseSign1.Parse(signed).Payload, readFilters: false));

    public bool Has(string ceId, long seq) => _messages.ContainsKey((ceId, seq));

    public SummaryMessage Of(WindowRow r) => _messages[(r.CeId, r.Seq)];

    public WindowSummary Window(WindowRow r) => Of(r).Windows[r.Index];

    /// <summary>The key that CE used for that message: derived per CE and per the epoch the message names, so
    /// windows from before a rotation stay resolvable.</summary>
    public byte[] FilterKey(WindowRow r)
    {
        uint epoch = Of(r).FilterKeyEpoch;
        if (!_keys.TryGetValue((r.CeId, epoch), out byte[]? k))
            _keys[(r.CeId, epoch)] = k = FilterKeys.Derive(masterKey, r.CeId, epoch);
        return k;
    }

    /// <summary>The MAP-E rule an address is shared under, from any message read on it: a rule's IPv4
    /// prefix belongs to that rule alone, so every CE on the address has its PSID under the same rule.</summary>
    public MapRule? RuleOn(IEnumerable<WindowRow> rows) =>
        rows.Select(r => _messages.GetValueOrDefault((r.CeId, r.Seq))).FirstOrDefault(m => m is not null)?.Mape.Rule;
}
