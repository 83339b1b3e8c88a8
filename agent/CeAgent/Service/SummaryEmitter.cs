using System.Security.Cryptography;
using CeAgent.Shared.Summary;
using CeAgent.Spool;

namespace CeAgent.Service;

/// <summary>
/// Batches closed windows into signed messages and stores each in the spool before anything else sees
/// it. The chain (sequence and previous hash) continues from the newest message in the spool, so it
/// survives restarts and kills without a separate state file that could disagree with the spool. A kill
/// loses at most the windows of the batch not yet signed: the writer was never told they were stored.
/// </summary>
public sealed class SummaryEmitter
{
    private readonly string _ceId;
    private readonly MapeContext _mape;
    private readonly ECDsa _key;
    private readonly DurableSpool _spool;
    private readonly int _batch;
    private readonly List<WindowSummary> _windows = [];
    private ulong _seq;
    private byte[] _prev;

    public SummaryEmitter(string ceId, MapeContext mape, ECDsa key, DurableSpool spool, int batch)
    {
        (_ceId, _mape, _key, _spool, _batch) = (ceId, mape, key, spool, batch);
        _seq = spool.Newest?.Seq ?? 0;
        _prev = spool.Newest is { } n ? SummaryChain.Hash(n.Payload) : [];
    }

    public ulong LastSeq => _seq;
    public int PendingWindows => _windows.Count;
    public long Messages { get; private set; }

    public void Add(WindowSummary w)
    {
        _windows.Add(w);
        if (_windows.Count >= _batch)
            Emit();
    }

    /// <summary>Signs and stores what is batched (at shutdown, or when the batch is full).</summary>
    public void Emit()
    {
        if (_windows.Count == 0)
            return;
        var m = new SummaryMessage(_ceId, _seq + 1, _prev, _mape, [.. _windows], _spool.TakeDropped());
        byte[] signed = CoseSign1.Sign(SummaryCodec.Encode(m), _ceId, _key);
        _spool.Append([new SpoolRecord(m.Seq, signed)]);
        _seq = m.Seq;
        _prev = SummaryChain.Hash(signed);
        _windows.Clear();
        Messages++;
    }
}
