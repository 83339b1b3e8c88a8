using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using CeAgent.Shared.Summary;
using CeIsp.Store;

namespace CeIsp.Collector;

public enum IngestOutcome
{
    Stored,
    Duplicate,
    /// <summary>A different message with a (CE, sequence) already stored: recorded as a chain event.</summary>
    Fork,
    Rejected,
    Enrolled,
    Ignored,
}

/// <param name="Reason">For a rejection, "kind: what was wrong".</param>
public sealed record IngestResult(IngestOutcome Outcome, string? Reason = null, string? CeId = null, long Seq = 0);

/// <summary>
/// Takes what arrives on ce/v1/+/summary and ce/v1/+/state and decides: store, drop as duplicate, record
/// a fork, or reject with a reason. A summary is stored only when the topic, the COSE kid and the payload
/// name the same CE, the CE is enrolled, the signature verifies under its key, and the payload decodes
/// strictly. The chain is checked against what is stored: missing sequences are recorded as gaps (and
/// cleared when a late message fills them); a previous hash that does not match is recorded as a break.
/// Whatever the input, every message is counted under exactly one outcome and nothing but the store
/// throws: a store failure (<see cref="DbException"/>) is not an outcome, the message was not kept and
/// must not be acknowledged.
/// </summary>
public sealed class Collector(SummaryStore store, bool trustOnFirstUse, Func<string, string>? lineForTofu = null)
{
    /// <summary>A state message is a small JSON object; anything far larger is not one.</summary>
    public const int MaxStateBytes = 16 * 1024;
    private readonly Dictionary<string, ECDsa> _keys = [];
    private readonly Dictionary<string, long> _rejections = [];
    private readonly long[] _outcomes = new long[Enum.GetValues<IngestOutcome>().Length];

    public long Received { get; private set; }
    public long Stored => _outcomes[(int)IngestOutcome.Stored];
    public long Duplicates => _outcomes[(int)IngestOutcome.Duplicate];
    public long Forks => _outcomes[(int)IngestOutcome.Fork];
    public long Enrolled => _outcomes[(int)IngestOutcome.Enrolled];
    public long Ignored => _outcomes[(int)IngestOutcome.Ignored];

    /// <summary>Per CE id, the public key (PEM) the operator enrolled as its next one (isp.json
    /// devices[].nextPublicKeyPem): accepted besides the enrolled key while the CE rotates.</summary>
    public IReadOnlyDictionary<string, string> NextKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>Summaries that verified under a CE's next key: the CE has switched, promote the key.</summary>
    public long SignedWithNextKey { get; private set; }
    public IReadOnlyDictionary<string, long> Rejections => _rejections;
    public long RejectedTotal => _outcomes[(int)IngestOutcome.Rejected];

    public IngestResult Ingest(string topic, byte[] payload)
    {
        IngestResult r;
        try
        {
            r = Dispatch(topic, payload);
        }
        catch (DbException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A check this class does not know it needs: still a counted rejection, never a dead collector.
            r = Reject("internal", $"{Shorten(topic)}: {e.GetType().Name}: {e.Message}");
        }
        Received++;
        _outcomes[(int)r.Outcome]++;
        if (r.Outcome == IngestOutcome.Rejected)
        {
            string reason = r.Reason ?? "internal:";
            string kind = reason[..Math.Max(0, reason.IndexOf(':', StringComparison.Ordinal))];
            _rejections[kind] = _rejections.GetValueOrDefault(kind) + 1;
        }
        return r;
    }

    /// <summary>The counts, for the log: "stored N, duplicates N, ..., rejected N, (kind N)..., of N received".</summary>
    public string Describe() =>
        $"stored {Stored}, duplicates {Duplicates}, forks {Forks}, enrolled {Enrolled}, ignored {Ignored}, rejected {RejectedTotal}"
        + string.Concat(_rejections.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $", {r.Key} {r.Value}")) + $"; {Received} received";

    private IngestResult Dispatch(string topic, byte[] payload)
    {
        string[] parts = topic.Split('/');
        if (parts.Length != 4 || parts[0] != "ce" || parts[1] != "v1" || !SummaryLimits.IsValidCeId(parts[2]))
            return Reject("topic", $"unexpected topic '{Shorten(topic)}'");
        return parts[3] switch
        {
            "summary" => Summary(parts[2], payload),
            "state" => State(parts[2], payload),
            _ => new IngestResult(IngestOutcome.Ignored),
        };
    }

    private static string Shorten(string s) => s.Length <= 120 ? s : s[..120] + "...";

    private IngestResult Summary(string topicId, byte[] signed)
    {
        CoseMessage cose;
        SummaryMessage m;
        try
        {
            cose = CoseSign1.Parse(signed);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return Reject("malformed", $"{topicId}: {e.Message}", topicId);
        }
        if (cose.KeyId != topicId)
            return Reject("wrong-id", $"message signed as '{Shorten(cose.KeyId)}' published under '{topicId}'", topicId);
        if (store.FindDevice(topicId) is not { } device)
            return Reject("not-enrolled", $"{topicId} is not enrolled", topicId);
        if (Key(device) is not { } key)
            return Reject("bad-enrolment", $"{topicId}: the enrolled public key does not parse", topicId);
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
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return Reject("malformed", $"{topicId}: {e.Message}", topicId);
        }
        if (m.CeId != topicId)
            return Reject("wrong-id", $"payload names '{Shorten(m.CeId)}', topic '{topicId}'", topicId);
        if (m.Seq is 0 or > long.MaxValue)
            return Reject("bad-seq", $"{topicId}: sequence {m.Seq} is outside 1..{long.MaxValue}", topicId);
        long seq = (long)m.Seq;
        var rows = m.Windows.Select((w, i) => new WindowRow(m.CeId, seq, i, w.StartUnix, (int)w.LengthSeconds, m.Mape.Ipv4, m.Mape.Psid,
            w.Clock.Synchronized, w.Clock.MaxErrorMs == uint.MaxValue ? -1 : w.Clock.MaxErrorMs)).ToList();
        byte[] hash = SummaryChain.Hash(signed);
        if (!store.Insert(m.CeId, seq, m.PrevHash, hash, signed, rows))
        {
            // Same (CE, sequence), different bytes: a restarted or forked chain, evidence to keep, not a repeat.
            bool fork = store.HashOf(m.CeId, seq) is { } kept && !kept.AsSpan().SequenceEqual(hash)
                && store.RecordFork(new ChainEvent(m.CeId, seq, "fork", First(m), Last(m)), hash, signed);
            return new IngestResult(fork ? IngestOutcome.Fork : IngestOutcome.Duplicate, null, m.CeId, seq);
        }
        // After the insert, so that collectors sharing the subscription (and the store) cannot leave a
        // gap behind for a message another one has just stored: see SummaryStore.RecordChainEvent.
        CheckChain(m, seq, signed);
        return new IngestResult(IngestOutcome.Stored, null, m.CeId, seq);
    }

    private void CheckChain(SummaryMessage m, long seq, byte[] signed)
    {
        long first = First(m), last = Last(m);
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

    private static long First(SummaryMessage m) => m.Windows.Count > 0 ? m.Windows[0].StartUnix : 0;

    private static long Last(SummaryMessage m) => m.Windows.Count > 0 ? m.Windows[^1].StartUnix + m.Windows[^1].LengthSeconds : 0;

    /// <summary>A retained state message; with trust on first use it enrols an unknown CE's key. Any CE
    /// with a broker certificate can retain anything here, and every collector reads it on every start.</summary>
    private IngestResult State(string ceId, byte[] payload)
    {
        if (payload.Length > MaxStateBytes)
            return Reject("malformed-state", $"{ceId}: {payload.Length} bytes, more than {MaxStateBytes}", ceId);
        string? pem = null;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return Reject("malformed-state", $"{ceId}: a JSON {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object", ceId);
            if (doc.RootElement.TryGetProperty("publicKey", out JsonElement k))
                pem = k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8 inside otherwise valid JSON.
            return Reject("malformed-state", $"{ceId}: {e.Message}", ceId);
        }
        if (!trustOnFirstUse || pem is null || store.FindDevice(ceId) is not null)
            return new IngestResult(IngestOutcome.Ignored, null, ceId);
        if (PublicKeys.Problem(pem) is { } problem)
            return Reject("bad-key", $"{ceId}: state key {problem}", ceId);
        // The key as re-exported, not the text as sent: nothing of the sender's but the key reaches the store.
        store.Enroll(new Device(ceId, lineForTofu?.Invoke(ceId) ?? $"unassigned:{ceId}", PublicKeys.Canonical(pem)));
        return new IngestResult(IngestOutcome.Enrolled, null, ceId);
    }

    /// <summary>The enrolled key, cached while the enrolment stays the same.</summary>
    private ECDsa? Key(Device d) => Import(d.CeId, d.PublicKeyPem);

    private ECDsa? NextKey(string ceId) => NextKeys.TryGetValue(ceId, out string? pem) ? Import(ceId, pem) : null;

    /// <summary>An enrolled key (current or next), parsed once; null when it is not a P-256 public key.</summary>
    private ECDsa? Import(string ceId, string pem)
    {
        string cacheKey = ceId + "\n" + pem;
        if (_keys.TryGetValue(cacheKey, out ECDsa? k))
            return k;
        if (PublicKeys.Problem(pem) is not null)
            return null;
        k = ECDsa.Create();
        k.ImportFromPem(pem);
        return _keys[cacheKey] = k;
    }

    private static IngestResult Reject(string kind, string reason, string? ceId = null) =>
        new(IngestOutcome.Rejected, $"{kind}: {reason}", ceId);
}
