using System.Collections.Concurrent;
using System.Security.Cryptography;
using CeAgent.Shared.Summary;
using CeIsp.Store;

namespace CeIsp.Collector;

/// <summary>What the verifying stage made of one message: a rejection, a message to store, or work that
/// needs the store (a state message, a CE whose key is not at hand) and is done in order when storing.</summary>
internal sealed record Checked(IngestResult? Rejection = null, StoredMessage? Message = null, bool Deferred = false);

/// <summary>
/// The CPU-bound part of collecting, safe to run on several threads: parse the COSE envelope, verify the
/// signature under the CE's key as last read from the store, decode strictly, and build the rows. Only
/// keys read before are used here; a CE this process has not seen, or whose signature fails under the key
/// it remembers (the operator may have enrolled a new one since), is deferred to the storing thread, which
/// reads the store again.
/// </summary>
internal sealed class SummaryVerifier(IReadOnlyDictionary<string, string> nextKeys)
{
    private readonly ConcurrentDictionary<string, (string Pem, ECDsa Key)> _keys = new();
    private long _signedWithNextKey;

    public long SignedWithNextKey => Interlocked.Read(ref _signedWithNextKey);

    /// <summary>Without the store: a summary checked with a remembered key, anything else deferred.</summary>
    public Checked Check(Incoming m)
    {
        var (kind, ceId) = Topic(m.Topic);
        if (kind == TopicKind.Bad)
            return new(Reject("topic", $"unexpected topic '{Shorten(m.Topic)}'"));
        if (kind != TopicKind.Summary)
            return new(Deferred: true);
        if (!_keys.TryGetValue(ceId, out var key))
            return new(Deferred: true);
        Checked c = Summary(ceId, m.Payload, key.Key);
        return c.Rejection?.RejectionKind == "bad-signature" ? new(Deferred: true) : c;
    }

    /// <summary>The same with the CE's enrolment as the store has it now (null: not enrolled).</summary>
    public Checked Check(Incoming m, Device? device)
    {
        var (_, ceId) = Topic(m.Topic);
        if (Parse(ceId, m.Payload, out CoseMessage? cose) is { } bad)
            return new(bad);
        if (device is null)
            return new(Reject("not-enrolled", $"{ceId} is not enrolled", ceId));
        if (Import(device.PublicKeyPem) is not { } key)
            return new(Reject("bad-enrolment", $"{ceId}: the enrolled public key does not parse", ceId));
        _keys[ceId] = (device.PublicKeyPem, key);
        return Summary(ceId, m.Payload, key);
    }

    internal enum TopicKind { Bad, Summary, State, Other }

    internal static (TopicKind Kind, string CeId) Topic(string topic)
    {
        string[] parts = topic.Split('/');
        if (parts.Length != 4 || parts[0] != "ce" || parts[1] != "v1" || !SummaryLimits.IsValidCeId(parts[2]))
            return (TopicKind.Bad, "");
        return (parts[3] switch { "summary" => TopicKind.Summary, "state" => TopicKind.State, _ => TopicKind.Other }, parts[2]);
    }

    private static IngestResult? Parse(string ceId, byte[] signed, out CoseMessage? cose)
    {
        cose = null;
        try
        {
            cose = CoseSign1.Parse(signed);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return Reject("malformed", $"{ceId}: {e.Message}", ceId);
        }
        return cose.KeyId != ceId ? Reject("wrong-id", $"message signed as '{Shorten(cose.KeyId)}' published under '{ceId}'", ceId) : null;
    }

    private Checked Summary(string ceId, byte[] signed, ECDsa key)
    {
        if (Parse(ceId, signed, out CoseMessage? cose) is { } bad)
            return new(bad);
        if (!Verify(cose!, key))
        {
            if (NextKey(ceId) is not { } next || !Verify(cose!, next))
                return new(Reject("bad-signature", $"{ceId}: signature does not verify under the enrolled key", ceId));
            Interlocked.Increment(ref _signedWithNextKey);
        }
        SummaryMessage m;
        try
        {
            m = SummaryCodec.Decode(cose!.Payload);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return new(Reject("malformed", $"{ceId}: {e.Message}", ceId));
        }
        if (m.CeId != ceId)
            return new(Reject("wrong-id", $"payload names '{Shorten(m.CeId)}', topic '{ceId}'", ceId));
        if (m.Seq is 0 or > long.MaxValue)
            return new(Reject("bad-seq", $"{ceId}: sequence {m.Seq} is outside 1..{long.MaxValue}", ceId));
        long seq = (long)m.Seq;
        var rows = m.Windows.Select((w, i) => new WindowRow(m.CeId, seq, i, w.StartUnix, (int)w.LengthSeconds, m.Mape.Ipv4, m.Mape.Psid,
            w.Clock.Synchronized, w.Clock.MaxErrorMs == uint.MaxValue ? -1 : w.Clock.MaxErrorMs)).ToList();
        long? first = m.Windows.Count > 0 ? m.Windows[0].StartUnix : null;
        long? end = m.Windows.Count > 0 ? m.Windows[^1].StartUnix + m.Windows[^1].LengthSeconds : null;
        return new(Message: new StoredMessage(m.CeId, seq, m.PrevHash, SummaryChain.Hash(signed), signed, first, end, rows));
    }

    /// <summary>One verification at a time per key: an ECDsa instance is not documented as thread-safe,
    /// and two messages of one CE in a batch are rare enough that the lock costs nothing.</summary>
    private static bool Verify(CoseMessage cose, ECDsa key)
    {
        lock (key)
            return CoseSign1.Verify(cose, key);
    }

    private readonly ConcurrentDictionary<string, ECDsa?> _imported = new();

    private ECDsa? NextKey(string ceId) => nextKeys.TryGetValue(ceId, out string? pem) ? Import(pem) : null;

    /// <summary>A key (current or next) parsed once; null when it is not a P-256 public key.</summary>
    private ECDsa? Import(string pem) => _imported.GetOrAdd(pem, p =>
    {
        if (PublicKeys.Problem(p) is not null)
            return null;
        var k = ECDsa.Create();
        k.ImportFromPem(p);
        return k;
    });

    internal static string Shorten(string s) => s.Length <= 120 ? s : s[..120] + "...";

    internal static IngestResult Reject(string kind, string reason, string? ceId = null) =>
        new(IngestOutcome.Rejected, $"{kind}: {reason}", ceId);
}
