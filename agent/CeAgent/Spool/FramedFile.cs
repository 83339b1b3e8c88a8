using CeAgent.Interop;

namespace CeAgent.Spool;

/// <summary>
/// A small state file in the spool directory holding one CRC-checked spool frame, replaced atomically
/// (write, fsync, rename, fsync the directory) so a power cut leaves either the old or the new content,
/// and a torn write is caught by the CRC. Used by the batch journal and the open-interval snapshot.
/// </summary>
public sealed class FramedFile(string dir, string name)
{
    public string PathName { get; } = Path.Combine(dir, name);

    /// <summary>The payload, or null when there is no file; a file that cannot be read or whose frame is
    /// damaged gives null and a warning naming the file (the caller says what is lost).</summary>
    public byte[]? Read(Action<string> warn)
    {
        byte[] data;
        try
        {
            if (!Path.Exists(PathName))
                return null;
            if (new FileInfo(PathName).Length > SpoolFrame.HeaderSize + SpoolFrame.MaxPayload)
            {
                warn($"{PathName}: larger than a frame can be ({new FileInfo(PathName).Length} bytes)");
                return null;
            }
            data = File.ReadAllBytes(PathName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warn($"{PathName}: unreadable: {e.Message}");
            return null;
        }
        if (SpoolFrame.TryRead(data, out int size) is not { } frame || size != data.Length)
        {
            warn($"{PathName}: damaged ({data.Length} bytes, no whole CRC-checked frame)");
            return null;
        }
        return frame.Payload;
    }

    public void Write(byte[] payload)
    {
        var frame = new byte[SpoolFrame.HeaderSize + payload.Length];
        SpoolFrame.Write(frame, new SpoolRecord(0, payload));
        string tmp = PathName + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            f.Write(frame);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, PathName, overwrite: true);
        FileSync.Directory(dir);
    }

    public void Delete()
    {
        if (!File.Exists(PathName))
            return;
        File.Delete(PathName);
        FileSync.Directory(dir);
    }
}
