using System.Globalization;
using CeAgent.Interop;

namespace CeAgent.Spool;

/// <summary>What opening the spool found, for the log and for the next summary.</summary>
/// <param name="BytesHashed">Work done reading: stays within a small multiple of the bytes on flash, whatever they hold.</param>
public sealed record SpoolOpenReport(int Segments, int Records, long DamagedBytes, IReadOnlyList<string> Problems, long BytesHashed = 0);

/// <summary>Where the chain continues: the newest message's sequence and hash. A null hash means the
/// message is gone (its segment lost or damaged): the next message cannot link to it, which the
/// collector records as a break rather than the chain silently restarting at 1.</summary>
public sealed record ChainHead(ulong Seq, byte[]? Hash);

/// <summary>
/// The queue of record for signed summaries: every message is on flash before it is published, and
/// leaves only when the broker acknowledged it. Append-only segment files; a batch is one write and one
/// fsync. After a restart the agent appends to a fresh segment, so a damaged tail is never written
/// after. Opening skips damaged bytes (a torn last write, a corrupted block) by searching for the next
/// frame whose CRC holds, and reports them. When the size limit is reached the oldest segment goes, and
/// the unacknowledged messages in it are counted so the next summary can say so. Acknowledged messages
/// are remembered by a watermark file, written when a segment is deleted; messages acknowledged after it
/// may be published again after a restart, which the collector's (CE, sequence) de-duplication absorbs.
/// The same file keeps the chain head (sequence and hash of the newest message) as of that deletion, so
/// the chain survives a newest segment that a power cut left empty or a disk that lost it.
/// Opening is linear in the bytes on flash (<see cref="FrameScanner"/>).
/// </summary>
public sealed class DurableSpool : IDisposable
{
    private const string Prefix = "spool-", Suffix = ".seg", WatermarkFile = "acked";
    private readonly string _dir;
    private readonly long _maxBytes;
    private readonly int _segmentBytes;
    private readonly List<Segment> _segments = [];
    private readonly SortedDictionary<ulong, SpoolRecord> _pending = [];
    private FileStream? _current;
    private ulong _ackedThrough;
    private ChainHead? _savedHead;

    private sealed class Segment(string path)
    {
        public string Path { get; } = path;
        public long Bytes { get; set; }
        public List<ulong> Seqs { get; } = [];
    }

    public SpoolOpenReport OpenReport { get; }
    public long Bytes => _segments.Sum(s => s.Bytes);
    public int PendingCount => _pending.Count;
    /// <summary>Unacknowledged messages dropped for space since the last <see cref="TakeDropped"/>.</summary>
    public uint Dropped { get; private set; }
    /// <summary>The newest message stored, acknowledged or not.</summary>
    public SpoolRecord? Newest { get; private set; }

    /// <summary>Where the chain continues: the newest message stored, or the head the watermark file kept
    /// when that is newer (every segment after it deleted, empty or lost), or null for a new chain.</summary>
    public ChainHead? Head => Newest is { } n && (_savedHead is null || n.Seq >= _savedHead.Seq)
        ? new ChainHead(n.Seq, Shared.Summary.SummaryChain.Hash(n.Payload))
        : _savedHead;

    public DurableSpool(string dir, long maxBytes, int segmentBytes = 64 * 1024)
    {
        if (maxBytes < 2L * segmentBytes)
            throw new ArgumentException($"spool size limit {maxBytes} must hold at least two segments of {segmentBytes} bytes");
        _dir = dir;
        _maxBytes = maxBytes;
        _segmentBytes = segmentBytes;
        Directory.CreateDirectory(dir);
        (_ackedThrough, _savedHead) = ReadWatermark();
        OpenReport = Load();
    }

    public uint TakeDropped()
    {
        uint d = Dropped;
        Dropped = 0;
        return d;
    }

    /// <summary>Stores a batch durably (one write, one fsync) before returning.</summary>
    public void Append(IReadOnlyList<SpoolRecord> batch)
    {
        if (batch.Count == 0)
            return;
        int size = batch.Sum(r => SpoolFrame.HeaderSize + r.Payload.Length);
        if (_current is null || _current.Length + size > _segmentBytes)
            Rotate(batch[0].Seq);
        var buffer = new byte[size];
        int at = 0;
        foreach (SpoolRecord r in batch)
            at += SpoolFrame.Write(buffer.AsSpan(at), r);
        _current!.Write(buffer);
        _current.Flush(flushToDisk: true);
        Segment seg = _segments[^1];
        seg.Bytes += size;
        foreach (SpoolRecord r in batch)
        {
            seg.Seqs.Add(r.Seq);
            _pending[r.Seq] = r;
            Newest = r;
        }
        EnforceLimit();
    }

    /// <summary>The oldest unacknowledged messages, in sequence order.</summary>
    public IReadOnlyList<SpoolRecord> Pending(int max) => [.. _pending.Values.Take(max)];

    public void Ack(ulong seq)
    {
        if (!_pending.Remove(seq))
            return;
        // Whole segments whose messages are all acknowledged are deleted, oldest first.
        while (_segments.Count > 1 && _segments[0].Seqs.All(s => !_pending.ContainsKey(s)))
        {
            Segment gone = _segments[0];
            _segments.RemoveAt(0);
            if (gone.Seqs.Count > 0)
                _ackedThrough = Math.Max(_ackedThrough, gone.Seqs.Max());
            WriteWatermark();
            File.Delete(gone.Path);
        }
    }

    private void EnforceLimit()
    {
        while (Bytes > _maxBytes && _segments.Count > 1)
        {
            Segment oldest = _segments[0];
            _segments.RemoveAt(0);
            foreach (ulong s in oldest.Seqs)
                if (_pending.Remove(s))
                    Dropped++;
            if (oldest.Seqs.Count > 0)
                _ackedThrough = Math.Max(_ackedThrough, oldest.Seqs.Max());
            WriteWatermark();
            File.Delete(oldest.Path);
        }
    }

    private void Rotate(ulong firstSeq)
    {
        _current?.Dispose();
        string path = Path.Combine(_dir, Prefix + firstSeq.ToString("D20", CultureInfo.InvariantCulture) + "-" + DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture) + Suffix);
        _current = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
        FileSync.Directory(_dir);
        _segments.Add(new Segment(path));
    }

    private SpoolOpenReport Load()
    {
        var problems = new List<string>();
        long damaged = 0, hashed = 0;
        int records = 0;
        foreach (string path in Directory.EnumerateFiles(_dir, Prefix + "*" + Suffix).Order(StringComparer.Ordinal))
        {
            byte[] data;
            try
            {
                data = File.ReadAllBytes(path);
            }
            catch (IOException e)
            {
                problems.Add($"{Path.GetFileName(path)}: unreadable ({e.Message})");
                continue;
            }
            if (data.Length == 0)
                problems.Add($"{Path.GetFileName(path)}: empty (a power cut while it was created)");
            var seg = new Segment(path) { Bytes = data.Length };
            var scan = new FrameScanner(data);
            int at = 0;
            while (at < data.Length)
            {
                if (scan.IsFrame(at))
                {
                    SpoolRecord r = scan.Read(at, out int size);
                    seg.Seqs.Add(r.Seq);
                    if (r.Seq > _ackedThrough)
                        _pending[r.Seq] = r;
                    if (Newest is null || r.Seq >= Newest.Seq)
                        Newest = r;
                    records++;
                    at += size;
                    continue;
                }
                int next = scan.Next(at + 1);
                damaged += next - at;
                problems.Add($"{Path.GetFileName(path)}: {next - at} damaged bytes at offset {at} skipped");
                at = next;
            }
            hashed += scan.BytesHashed;
            _segments.Add(seg);
        }
        ulong newest = Newest?.Seq ?? 0;
        if (_ackedThrough > newest && (_savedHead is null || _savedHead.Seq < _ackedThrough))
        {
            // Acknowledged messages newer than anything stored, and no saved head for them: the hash is lost.
            _savedHead = new ChainHead(_ackedThrough, null);
            problems.Add($"chain head lost: messages through {_ackedThrough} were acknowledged but the newest stored is {newest}; the chain continues at {_ackedThrough + 1} with a break");
        }
        else if (_savedHead is { } h && h.Seq > newest)
            problems.Add($"newest messages gone from the spool: the chain continues from the saved head, sequence {h.Seq}");
        return new SpoolOpenReport(_segments.Count, records, damaged, problems, hashed);
    }

    /// <summary>Line 1: acknowledged through; line 2 (absent in files of older versions): chain head
    /// sequence and hash. Anything unreadable counts as nothing acknowledged and no saved head.</summary>
    private (ulong Acked, ChainHead? Head) ReadWatermark()
    {
        string path = Path.Combine(_dir, WatermarkFile);
        if (!File.Exists(path))
            return (0, null);
        string[] lines = File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        ulong acked = lines.Length > 0 && ulong.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong v) ? v : 0;
        ChainHead? head = null;
        if (lines.Length > 1 && lines[1].Split(' ') is [var seq, var hash] && ulong.TryParse(seq, NumberStyles.None, CultureInfo.InvariantCulture, out ulong hs)
            && hash.Length == 64 && hash.All(char.IsAsciiHexDigit))
            head = new ChainHead(hs, Convert.FromHexString(hash));
        return (acked, head);
    }

    /// <summary>Atomic replace (write, fsync, rename, fsync the directory): about 100 bytes each time a
    /// segment is deleted, so a few hundred bytes a day at the default window and batch.</summary>
    private void WriteWatermark()
    {
        if (Head is { Hash: not null } h)
            _savedHead = h;
        string text = _ackedThrough.ToString(CultureInfo.InvariantCulture) + "\n"
            + (_savedHead is { Hash: { } hash } ? _savedHead.Seq.ToString(CultureInfo.InvariantCulture) + " " + Convert.ToHexStringLower(hash) + "\n" : "");
        string path = Path.Combine(_dir, WatermarkFile), tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            f.Write(System.Text.Encoding.ASCII.GetBytes(text));
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
        FileSync.Directory(_dir);
    }

    public void Dispose() => _current?.Dispose();
}
