using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>fsync of a directory, which .NET does not offer: after creating or renaming a file, the
/// directory entry itself must reach the flash, or a power cut can lose the file. libceagent opens it with
/// this platform's O_DIRECTORY (0x10000 on x86-64 is O_DIRECT on aarch64).</summary>
public static partial class FileSync
{
    [LibraryImport(Platform.Lib, EntryPoint = "ce_fsync_dir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FsyncDir(string path);

    public static void Directory(string path)
    {
        if (FsyncDir(path) != 0)
            throw new IOException($"{path}: fsync of the directory failed, errno {Marshal.GetLastPInvokeError()}");
    }
}

/// <summary>libceagent's platform layer (native/include/ceplatform.h): C# passes the portable values below,
/// the library maps them for the platform it was compiled for.</summary>
public static partial class Platform
{
    internal const string Lib = "ceagent";

    /// <summary>enum ce_open_flags.</summary>
    public const int ORdonly = 0, OWronly = 1, ORdwr = 2;
}
