using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>fsync of a directory, which .NET does not offer: after creating or renaming a file, the
/// directory entry itself must reach the flash, or a power cut can lose the file. libceagent opens it with
/// this platform's O_DIRECTORY (x86-64's value is O_DIRECT on aarch64).</summary>
public static partial class FileSync
{
    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_fsync_dir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FsyncDir(string path);

    public static void Directory(string path)
    {
        if (FsyncDir(path) != 0)
            throw InteropException.LastError($"{path}: fsync of the directory");
    }
}
