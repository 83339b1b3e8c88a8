using CeAgent.Interop;

namespace CeIsp.Audit;

/// <summary>
/// Append-only, hash-chained audit log (one JSON object a line; each carries the SHA-256 of the previous line).
/// Every operation opens the file anew, checks it is a private regular file, and holds flock(LOCK_EX) while it
/// reads the tail and appends, so several processes (resolver runs, the web service) keep one valid chain.
/// Any doubt is an <see cref="AuditException"/>: whoever cannot audit must not answer.
/// </summary>
public sealed class AuditLog
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
    private const int TailChunk = 4096;
    private const int LockWaitMs = 10_000;

    private readonly string _path;

    private AuditLog(string path) => _path = path;

    /// <summary>Opens (creating 0600 if absent) and checks the log's last entry.</summary>
    public static AuditLog Open(string path)
    {
        string full = Path.GetFullPath(path);
        Guard(full, () =>
        {
            using FileStream f = OpenChecked(full, create: true);
            FileKind.LockExclusive(f.SafeFileHandle);
            ReadTail(f, full);
        });
        return new AuditLog(full);
    }

    /// <summary>Stamps, chains, writes and fsyncs one entry; on failure the file is left as it was.</summary>
    public void Append(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (string.IsNullOrWhiteSpace(record.Actor) || string.IsNullOrWhiteSpace(record.Action))
            throw new AuditException($"{_path}: an audit record needs an actor and an action");
        Guard(_path, () =>
        {
            using FileStream f = OpenChecked(_path, create: false);
            FileKind.LockExclusive(f.SafeFileHandle);
            (long seq, string prev) = ReadTail(f, _path);
            var line = new AuditLine(seq + 1, DateTimeOffset.UtcNow, record.Actor, record.Action, record.Reference, record.Subject,
                record.Verdict, record.Lines, record.Detail, prev);
            byte[] bytes = [.. AuditChain.Encode(line, out _), (byte)'\n'];
            long before = f.Length;
            try
            {
                f.Seek(before, SeekOrigin.Begin);
                f.Write(bytes);
                f.Flush(flushToDisk: true);
            }
            catch (IOException)
            {
                // A half-written line would make every later open refuse; take it back if the disk lets us.
                f.SetLength(before);
                throw;
            }
        });
    }

    /// <summary>Checks the whole chain; reports the first broken entry (1-based line number and why).</summary>
    public static AuditVerification Verify(string path)
    {
        string full = Path.GetFullPath(path);
        byte[] all = [];
        Guard(full, () =>
        {
            using FileStream f = OpenChecked(full, create: false, write: false);
            all = new byte[f.Length];
            f.ReadExactly(all);
        });
        return AuditChain.Check(all);
    }

    private static FileStream OpenChecked(string path, bool create, bool write = true)
    {
        if (Directory.Exists(path))
            throw new AuditException($"{path}: is a directory, not a regular file");
        if (create)
            Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        else if (!File.Exists(path))
            throw new AuditException($"{path}: does not exist");
        var f = OpenWaiting(path, new FileStreamOptions
        {
            Mode = create ? FileMode.OpenOrCreate : FileMode.Open,
            Access = write ? FileAccess.ReadWrite : FileAccess.Read,
            // .NET itself takes flock(LOCK_EX|LOCK_NB) for FileShare.None and LOCK_SH|LOCK_NB otherwise.
            Share = write ? FileShare.None : FileShare.ReadWrite,
            UnixCreateMode = create ? Private : null,
        });
        try
        {
            if (!FileKind.IsRegular(f.SafeFileHandle, out int type))
                throw new AuditException($"{path}: is {FileKind.Describe(type)}, not a regular file; an audit log must keep what is written");
            UnixFileMode mode = File.GetUnixFileMode(f.SafeFileHandle);
            if (write && (mode & Others) != 0)
                throw new AuditException($"{path}: mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')} lets others read or write it; chmod 600");
            return f;
        }
        catch
        {
            f.Dispose();
            throw;
        }
    }

    /// <summary>
    /// .NET's own lock does not wait: a writer that finds the file locked by another retries until
    /// <see cref="LockWaitMs"/>. The blocking flock after it holds the lock even where .NET's locking is switched
    /// off (DOTNET_SYSTEM_IO_DISABLEFILELOCKING).
    /// </summary>
    private static FileStream OpenWaiting(string path, FileStreamOptions options)
    {
        long deadline = Environment.TickCount64 + LockWaitMs;
        for (int delay = 1; ; delay = Math.Min(delay * 2, 50))
        {
            try
            {
                return new FileStream(path, options);
            }
            catch (IOException e) when (e.GetType() == typeof(IOException) && Environment.TickCount64 < deadline)
            {
                Thread.Sleep(delay);
            }
        }
    }

    /// <summary>The last entry's sequence number and hash (0 and the genesis value for an empty log).</summary>
    private static (long Seq, string Hash) ReadTail(FileStream f, string path)
    {
        long length = f.Length;
        if (length == 0)
            return (0, AuditChain.Genesis);
        byte[] last = new byte[1];
        f.Seek(length - 1, SeekOrigin.Begin);
        f.ReadExactly(last);
        if (last[0] != '\n')
            throw new AuditException($"{path}: the last entry is incomplete (no newline at its end); run 'ce-isp audit verify' and repair before answering");
        long start = length - 1;
        var buf = new byte[TailChunk];
        while (start > 0)
        {
            int n = (int)Math.Min(TailChunk, start);
            f.Seek(start - n, SeekOrigin.Begin);
            f.ReadExactly(buf, 0, n);
            int nl = buf.AsSpan(0, n).LastIndexOf((byte)'\n');
            if (nl >= 0)
            {
                start = start - n + nl + 1;
                break;
            }
            start -= n;
        }
        byte[] line = new byte[length - 1 - start];
        f.Seek(start, SeekOrigin.Begin);
        f.ReadExactly(line);
        return AuditChain.Decode(line, out string problem) is { } e
            ? (e.Line.Seq, e.Hash)
            : throw new AuditException($"{path}: the last entry is broken: {problem}; run 'ce-isp audit verify'");
    }

    private static void Guard(string path, Action body)
    {
        try
        {
            body();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EntryPointNotFoundException)
        {
            throw new AuditException($"{path}: {e.Message}");
        }
    }
}
