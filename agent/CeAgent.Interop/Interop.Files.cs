using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>fsync of a directory, which .NET does not offer: after creating or renaming a file, the
/// directory entry itself must reach the flash, or a power cut can lose the file.</summary>
public static partial class FileSync
{
    private const int ORdonly = 0, ODirectory = 0x10000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    public static void Directory(string path)
    {
        int fd = Open(path, ORdonly | ODirectory);
        if (fd < 0)
            throw new IOException($"{path}: open for fsync failed, errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"{path}: fsync failed, errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            Close(fd);
        }
    }
}
