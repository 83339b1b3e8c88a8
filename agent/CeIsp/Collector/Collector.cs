using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CeAgent.Shared.Summary;
using CeIsp.Store;

namespace CeIsp.Collector;

public enum IngestOutcome
{
    Stored,
    Duplicate,
    Rejected,
    Enrolled,
    Ignored,
}

public sealed record IngestResult(IngestOutcome Outcome, string? Reason = null, string? CeId = null, long Seq = 0);

/// <summary>
/// Takes what arrives on ce/v1/+/summary and ce/v1/+/state and decides: store, drop as duplicate, or
/// reject with a reason. A summary is stored only when the topic, the COSE kid and the payload name the
/// same CE, the CE is enrolled, the signature verifies under its key, and the payload decodes strictly.
/// The chain is checked against what is stored: missing sequences are recorded as gaps (and cleared when
/// a late message fills them); a previous hash that does not match is recorded as a break. Nothing here
/// throws on bad input: every problem becomes a counted rejection.
/// </summary>
public sealed class Collector(SummaryStore store, bool trustOnFirstUse, Func<string, string>? lineForTofu = null)
{
    private readonly Dictionary<string, ECDsa> _keys = [];
    private readonly Dictionary<string, ECDsa?> _nextKeys = [];
    private readonly Dictionary<string, long> _rejections = [];

    public long Stored { get; private set; }

    /// <summary>Per CE id, the public key (PEM) the operator enrolled as its next one (isp.json
    /// devices[].nextPublicKeyPem): accepted besides the enrolled key while the CE rotates.</summary>
    public IReadOnlyDictionary<string, string> NextKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>Summaries that verified under a CE's next key: the CE has switched, promote the key.</summary>
    public long SignedWithNextKey { get; private set; }
    public long Duplicates { get; private set; }
    public IReadOnlyDictionary<string, long> Rejections => _rejections;
    public long RejectedTotal => _rejections.Values.Sum();

    public IngestResult Ingest(string topic, byte[] payload)
    {
        string[] parts = topic.Split('/');
        if (parts.Length != 4 || parts[0] != "ce" || parts[1] != "v1" || !SummaryLimits.IsValidCeId(parts[2]))
            return Reject("topic", $"unexpected topic '{topic}'");
        return parts[3] switch
        {
            "summary" => Summary(parts[2], payload),
            "state" => State(parts[2], payload),
            _ => new IngestResult(IngestOutcome.Ignored),
        };
    }

    private IngestResult Summary(string topicId, byte[] signed)
    {
        CoseMessage cose;
        SummaryMessage m;
        try
        {
            cose = CoseSign1.Parse(signed);
        }
        catch (FormatException e)
        {
            return Reject("malformed", $"{topicId}: {e.Message}", topicId);
        }
        if (cose.KeyId != topicId)
            return Reject("wrong-id", $"message signed as '{cose.KeyId}' published under '{topicId}'", topicId);
        if (Key(topicId) is not { } key)
            return Reject("not-enrolled", $"{topicId} is not enrolled", topicId);
        if (!CoseSign1.Verify(cose, key))
        {
            if (NextKey(topicId) is not { } next || !CoseSign1.Verify(cose, next))
                return Reject("bad-signature", $"{topicId}: signature does not verify under the enrolled key", topicId);
            SignedWithNextKey++;
        }
        try
        {
            m = SummaryCodec.Decode(cose.Payload);
        }
        catch (FormatException e)
        {
            return Reject("malformed", $"{topicId}: {e.Message}", topicId);
        }
        if (m.CeId != topicId)
            return Reject("wrong-id", $"payload names '{m.CeId}', topic '{topicId}'", topicId);
        long seq = (long)m.Seq;
        var rows = m.Windows.Select((w, i) => new WindowRow(m.CeId, seq, i, w.StartUnix, (int)w.LengthSeconds, m.Mape.Ipv4, m.Mape.Psid,
            w.Clock.Synchronized, w.Clock.MaxErrorMs == uint.MaxValue ? -1 : w.Clock.MaxErrorMs)).ToList();
        if (!store.Insert(m.CeId, seq, m.PrevHash, SummaryChain.Hash(signed), signed, rows))
        {
            Duplicates++;
            return new IngestResult(IngestOutcome.Duplicate, null, m.CeId, seq);
        }
        // After the insert, so that collectors sharing the subscription (and the store) cannot leave a
        // gap behind for a message another one has just stored: see SummaryStore.RecordChainEvent.
        CheckChain(m, seq, signed);
        Stored++;
        return new IngestResult(IngestOutcome.Stored, null, m.CeId, seq);
    }

    private void CheckChain(SummaryMessage m, long seq, byte[] signed)
    {
        long first = m.Windows.Count > 0 ? m.Windows[0].StartUnix : 0;
        long last = m.Windows.Count > 0 ? m.Windows[^1].StartUnix + m.Windows[^1].LengthSeconds : 0;
        store.ClearGap(m.CeId, seq);
        var (below, above) = store.Neighbours(m.CeId, seq);
        // A gap runs from the end of the last message before it to the start of the first after it.
        if (seq > 1 && below != seq - 1)
            store.RecordChainEvent(new ChainEvent(m.CeId, seq - 1, "gap", below is { } b ? store.Span(m.CeId, b)?.End ?? 0 : 0, first));
        if (above is { } a && a != seq + 1)
            store.RecordChainEvent(new ChainEvent(m.CeId, seq + 1, "gap", last, store.Span(m.CeId, a)?.Start ?? long.MaxValue));
        if (seq > 1 && store.HashOf(m.CeId, seq - 1) is { } prev && !prev.AsSpan().SequenceEqual(m.PrevHash))
            store.RecordChainEvent(new ChainEvent(m.CeId, seq, "break", first, last));
        // Out of order (several collectors, a late message): the successor arrived first and could not check its link.
        if (above == seq + 1 && store.PrevHashOf(m.CeId, seq + 1) is { } next && !next.AsSpan().SequenceEqual(SummaryChain.Hash(signed)))
            store.RecordChainEvent(new ChainEvent(m.CeId, seq + 1, "break", last, store.Span(m.CeId, seq + 1)?.End ?? last));
    }

    /// <summary>A retained state message; with trust on first use it enrols an unknown CE's key.</summary>
    private IngestResult State(string ceId, byte[] payload)
    {
        string? pem;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            pem = doc.RootElement.TryGetProperty("publicKey", out JsonElement k) ? k.GetString() : null;
        }
        catch (JsonException e)
        {
            return Reject("malformed-state", $"{ceId}: {e.Message}", ceId);
        }
        if (!trustOnFirstUse || pem is null || store.FindDevice(ceId) is not null)
            return new IngestResult(IngestOutcome.Ignored, null, ceId);
        try
        {
            using ECDsa k = ECDsa.Create();
            k.ImportFromPem(pem);
            if (k.KeySize != 256)
                return Reject("bad-key", $"{ceId}: state key is not P-256", ceId);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return Reject("bad-key", $"{ceId}: state key does not parse ({e.Message})", ceId);
        }
        store.Enroll(new Device(ceId, lineForTofu?.Invoke(ceId) ?? $"unassigned:{ceId}", pem));
        return new IngestResult(IngestOutcome.Enrolled, null, ceId);
    }

    private ECDsa? Key(string ceId)
    {
        if (_keys.TryGetValue(ceId, out ECDsa? k))
            return k;
        if (store.FindDevice(ceId) is not { } d)
            return null;
        k = ECDsa.Create();
        k.ImportFromPem(d.PublicKeyPem);
        return _keys[ceId] = k;
    }

    private ECDsa? NextKey(string ceId)
    {
        if (_nextKeys.TryGetValue(ceId, out ECDsa? k))
            return k;
        if (NextKeys.TryGetValue(ceId, out string? pem))
        {
            k = ECDsa.Create();
            k.ImportFromPem(pem);
        }
        return _nextKeys[ceId] = k;
    }

    private IngestResult Reject(string kind, string reason, string? ceId = null)
    {
        _rejections[kind] = _rejections.GetValueOrDefault(kind) + 1;
        return new IngestResult(IngestOutcome.Rejected, $"{kind}: {reason}", ceId);
    }
}
