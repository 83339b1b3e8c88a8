using System.Security.Cryptography;
using CeAgent.Shared.Summary;
using CeAgent.Spool;

namespace CeAgent.Service;

/// <summary>
/// Batches closed windows into signed messages and stores each in the spool before anything else sees
/// it. The chain (sequence and previous hash) continues from the newest message in the spool, so it
/// survives restarts and kills without a separate state file that could disagree with the spool. A kill
/// loses at most the windows of the batch not yet signed: the writer was never told they were stored,
/// and with a <see cref="BatchJournal"/> not even those (<see cref="Journal"/>).
/// </summary>
public sealed class SummaryEmitter
{
    private readonly DurableSpool _spool;
    private readonly int _batch;
    private readonly List<WindowSummary> _windows = [];
    private readonly ChainSigner _chain;
    private readonly BatchJournal? _journal;
    private (long Messages, int Windows) _journaled = (-1, -1);
    private int _bytes;

    public SummaryEmitter(string ceId, MapeContext mape, ECDsa key, DurableSpool spool, int batch, uint filterKeyEpoch = 0, BatchJournal? journal = null)
    {
        (_spool, _batch, _journal) = (spool, batch, journal);
        _chain = new ChainSigner(ceId, mape, key, spool.Head?.Seq ?? 0, spool.Head?.Hash)
        {
            FilterKeyEpoch = filterKeyEpoch,
        };
    }

    public ulong LastSeq => _chain.LastSeq;
    public int PendingWindows => _windows.Count;
    /// <summary>The closed windows waiting for the batch to fill (the agent journals them, see BatchJournal).</summary>
    public IReadOnlyList<WindowSummary> Batched => _windows;
    public long Messages { get; private set; }

    /// <summary>Batches a window (or a part of one), signing first what is batched if the window would
    /// take the message past <see cref="SummaryLimits.MessageBudgetBytes"/> or <see cref="SummaryLimits.MaxWindows"/>.</summary>
    public void Add(WindowSummary w)
    {
        if (_windows.Count > 0 && (_bytes + Size(w) > SummaryLimits.MessageBudgetBytes || _windows.Count >= SummaryLimits.MaxWindows))
            Emit();
        _windows.Add(w);
        _bytes += Size(w);
        if (_windows.Count >= _batch)
            Emit();
    }

    /// <summary>An upper estimate of a window's encoded size: its filter, bitmaps and a few dozen bytes of
    /// heads, counters and clock.</summary>
    private static int Size(WindowSummary w) => w.Filter.Data.Length + w.Protocols.Sum(p => p.PortBitmap.Length + 24) + 64;

    /// <summary>Signs what is batched once its first window began a whole batch of windows ago, so that a
    /// quiet CE (idle windows are not produced) does not hold a window back for hours.</summary>
    public void EmitIfOlder(long nowUnix)
    {
        if (_windows.Count > 0 && nowUnix - _windows[0].StartUnix >= (long)(_batch + 1) * _windows[0].LengthSeconds)
            Emit();
    }

    /// <summary>Signs and stores what is batched (at shutdown, or when the batch is full).</summary>
    public void Emit()
    {
        if (_windows.Count == 0)
            return;
        byte[] signed = _chain.Sign(_windows, _spool.TakeDropped());
        _spool.Append([new SpoolRecord(_chain.LastSeq, signed)]);
        _windows.Clear();
        _bytes = 0;
        Messages++;
    }

    /// <summary>Batches the closed windows the journal kept from before a restart.</summary>
    /// <returns>How many were restored.</returns>
    public int RestoreJournal(Action<string> warn)
    {
        var restored = _journal?.Restore(BatchJournal.LastWindowStart(_spool.Newest), warn) ?? [];
        foreach (WindowSummary w in restored)
            Add(w);
        Journal();
        return restored.Count;
    }

    /// <summary>Keeps the journal equal to the batch, writing only when a window was added or a batch signed
    /// since the last call (the loop calls it once a tick: one write per window close, not per part).</summary>
    public void Journal()
    {
        var now = (Messages, PendingWindows);
        if (_journal is null || now == _journaled)
            return;
        _journal.Save(Batched);
        _journaled = now;
    }
}
