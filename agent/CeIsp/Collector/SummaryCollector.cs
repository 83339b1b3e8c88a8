using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using CeIsp.Store;

namespace CeIsp.Collector;

/// <summary>
/// Takes what arrives on ce/v1/+/summary and ce/v1/+/state and decides: store, drop as duplicate, record
/// a fork, or reject with a reason. A summary is stored only when the topic, the COSE kid and the payload
/// name the same CE, the CE is enrolled, the signature verifies under its key, and the payload decodes
/// strictly. The chain is checked against what is stored (<see cref="ChainCheck"/>).
/// Messages come in batches: <see cref="Verify"/> checks signatures on the thread pool while the caller
/// stores the previous batch with <see cref="Store"/>, one transaction a batch. Whatever the input, every
/// message is counted under exactly one outcome and nothing but the store throws: a store failure
/// (<see cref="DbException"/>) is not an outcome, the batch was not kept and must not be acknowledged.
/// </summary>
public sealed class SummaryCollector(SummaryStore store, bool trustOnFirstUse, Func<string, string>? lineForTofu = null)
{
    /// <summary>A state message is a small JSON object; anything far larger is not one.</summary>
    public const int MaxStateBytes = 16 * 1024;
    private readonly Dictionary<string, long> _rejections = [];
    private readonly long[] _outcomes = new long[Enum.GetValues<IngestOutcome>().Length];
    private readonly long[] _events = new long[Enum.GetValues<ChainEventKind>().Length];
    private SummaryVerifier? _verifier;

    public long Received { get; private set; }
    public long Stored => _outcomes[(int)IngestOutcome.Stored];
    public long Duplicates => _outcomes[(int)IngestOutcome.Duplicate];
    public long Forks => _outcomes[(int)IngestOutcome.Fork];
    public long Enrolled => _outcomes[(int)IngestOutcome.Enrolled];
    public long Ignored => _outcomes[(int)IngestOutcome.Ignored];

    /// <summary>Per CE id, the public key (PEM) the operator enrolled as its next one (isp.json
    /// devices[].nextPublicKeyPem): accepted besides the enrolled key while the CE rotates.</summary>
    public IReadOnlyDictionary<string, string> NextKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>How many days back a message's own time is believed for its day partition (isp.json retentionDays).</summary>
    public int BackfillDays { get; init; } = Config.IspConfig.DefaultRetentionDays;

    /// <summary>Told about every stored batch (telemetry).</summary>
    public ICollectorObserver? Observer { get; init; }

    private SummaryVerifier Verifier => _verifier ??= new SummaryVerifier(NextKeys);

    /// <summary>Summaries that verified under a CE's next key: the CE has switched, promote the key.</summary>
    public long SignedWithNextKey => Verifier.SignedWithNextKey;
    public IReadOnlyDictionary<string, long> Rejections => _rejections;
    public long RejectedTotal => _outcomes[(int)IngestOutcome.Rejected];

    /// <summary>Chain events recorded, by kind.</summary>
    public long ChainEvents(ChainEventKind kind) => _events[(int)kind];

    /// <summary>Wall time spent waiting for verification and storing (the profile of a run).</summary>
    public TimeSpan VerifyWait { get; private set; }
    public TimeSpan StoreTime { get; private set; }

    public IngestResult Ingest(string topic, byte[] payload) => Store(Verify([new Incoming(topic, payload)]))[0];

    /// <summary>Starts checking a batch on the thread pool; touches neither the store nor the counts.</summary>
    public VerifyingBatch Verify(IReadOnlyList<Incoming> batch)
    {
        SummaryVerifier v = Verifier;
        var results = new Checked[batch.Count];
        Task work = batch.Count < 4
            ? Task.FromResult(Fill(v, batch, results, 0, batch.Count))
            : Task.Run(() => Parallel.For(0, batch.Count, i => Fill(v, batch, results, i, i + 1)));
        return new VerifyingBatch(batch, results, work);
    }

    private static int Fill(SummaryVerifier v, IReadOnlyList<Incoming> batch, Checked[] results, int from, int to)
    {
        for (int i = from; i < to; i++)
            results[i] = Guarded(batch[i], () => v.Check(batch[i]));
        return to - from;
    }

    /// <summary>Finishes the checks that need the store, in arrival order, and stores the batch in one
    /// transaction; the outcome of each message, in order.</summary>
    public IngestResult[] Store(VerifyingBatch b)
    {
        var clock = Stopwatch.StartNew();
        b.Work.GetAwaiter().GetResult();
        VerifyWait += clock.Elapsed;
        var results = new IngestResult?[b.Batch.Count];
        var toStore = new List<(int Index, StoredMessage Message)>();
        for (int i = 0; i < b.Batch.Count; i++)
        {
            Checked c = b.Checked[i].Deferred ? Guarded(b.Batch[i], () => Deferred(b.Batch[i])) : b.Checked[i];
            if (c.Message is { } m)
                toStore.Add((i, m));
            else
                results[i] = c.Rejection;
        }
        clock.Restart();
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        BatchResult stored = store.StoreBatch([.. toStore.Select(s => s.Message)], now, BackfillDays);
        StoreTime += clock.Elapsed;
        for (int k = 0; k < toStore.Count; k++)
        {
            var (i, m) = toStore[k];
            IngestOutcome o = stored.Outcomes[k] switch { StoreOutcome.Stored => IngestOutcome.Stored, StoreOutcome.Fork => IngestOutcome.Fork, _ => IngestOutcome.Duplicate };
            results[i] = new IngestResult(o, null, m.CeId, m.Seq);
        }
        foreach (ChainEvent e in stored.Events)
            _events[(int)e.Kind]++;
        IngestResult[] done = [.. results.Select(r => r!)];
        foreach (IngestResult r in done)
            Count(r);
        Observer?.Stored(done, [.. toStore.Select(s => s.Message)], stored, clock.Elapsed, now);
        return done;
    }

    private void Count(IngestResult r)
    {
        Received++;
        _outcomes[(int)r.Outcome]++;
        if (r.RejectionKind is { } kind)
            _rejections[kind] = _rejections.GetValueOrDefault(kind) + 1;
    }

    /// <summary>A check this class does not know it needs: still a counted rejection, never a dead collector.</summary>
    private static Checked Guarded(Incoming m, Func<Checked> check)
    {
        try
        {
            return check();
        }
        catch (DbException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new(SummaryVerifier.Reject("internal", $"{SummaryVerifier.Shorten(m.Topic)}: {e.GetType().Name}: {e.Message}"));
        }
    }

    private Checked Deferred(Incoming m)
    {
        var (kind, ceId) = SummaryVerifier.Topic(m.Topic);
        return kind switch
        {
            SummaryVerifier.TopicKind.Summary => Verifier.Check(m, store.FindDevice(ceId)),
            SummaryVerifier.TopicKind.State => new(State(ceId, m.Payload)),
            _ => new(new IngestResult(IngestOutcome.Ignored)),
        };
    }

    /// <summary>The counts, for the log: "stored N, duplicates N, ..., rejected N, (kind N)..., of N received".</summary>
    public string Describe() =>
        $"stored {Stored}, duplicates {Duplicates}, forks {Forks}, enrolled {Enrolled}, ignored {Ignored}, rejected {RejectedTotal}"
        + string.Concat(_rejections.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $", {r.Key} {r.Value}")) + $"; {Received} received";

    /// <summary>A retained state message; with trust on first use it enrols an unknown CE's key. Any CE
    /// with a broker certificate can retain anything here, and every collector reads it on every start.</summary>
    private IngestResult State(string ceId, byte[] payload)
    {
        if (payload.Length > MaxStateBytes)
            return SummaryVerifier.Reject("malformed-state", $"{ceId}: {payload.Length} bytes, more than {MaxStateBytes}", ceId);
        string? pem = null;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return SummaryVerifier.Reject("malformed-state", $"{ceId}: a JSON {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object", ceId);
            if (doc.RootElement.TryGetProperty("publicKey", out JsonElement k))
                pem = k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8 inside otherwise valid JSON.
            return SummaryVerifier.Reject("malformed-state", $"{ceId}: {e.Message}", ceId);
        }
        if (!trustOnFirstUse || pem is null || store.FindDevice(ceId) is not null)
            return new IngestResult(IngestOutcome.Ignored, null, ceId);
        if (PublicKeys.Problem(pem) is { } problem)
            return SummaryVerifier.Reject("bad-key", $"{ceId}: state key {problem}", ceId);
        // The key as re-exported, not the text as sent: nothing of the sender's but the key reaches the store.
        store.Enroll(new Device(ceId, lineForTofu?.Invoke(ceId) ?? $"unassigned:{ceId}", PublicKeys.Canonical(pem)));
        return new IngestResult(IngestOutcome.Enrolled, null, ceId);
    }
}

/// <summary>A batch whose signatures are being checked; pass it to <see cref="SummaryCollector.Store"/>.</summary>
public sealed class VerifyingBatch
{
    internal VerifyingBatch(IReadOnlyList<Incoming> batch, Checked[] @checked, Task work) => (Batch, Checked, Work) = (batch, @checked, work);
    public IReadOnlyList<Incoming> Batch { get; }
    internal Checked[] Checked { get; }
    internal Task Work { get; }

    /// <summary>The batch as batches of one, verified already: to store what can be stored when the
    /// batch as a whole could not, and find the message the store fails on.</summary>
    public IEnumerable<VerifyingBatch> One()
    {
        Work.GetAwaiter().GetResult();
        for (int i = 0; i < Batch.Count; i++)
            yield return new VerifyingBatch([Batch[i]], [Checked[i]], Task.CompletedTask);
    }
}

/// <summary>Telemetry's view of the collector: each stored batch, after its commit.</summary>
public interface ICollectorObserver
{
    void Stored(IReadOnlyList<IngestResult> results, IReadOnlyList<StoredMessage> messages, BatchResult store, TimeSpan commit, long now);
}
