using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CeAgent.Interop;

/// <summary>
/// What .NET does not tell about an open file: whether it is a regular file (not /dev/null, a FIFO or a
/// socket that swallows what is written), and a blocking exclusive lock that other processes honour.
/// The type bits and lock flags are the platform's, so libceagent maps them (native/src/filekind.c).
/// </summary>
public static partial class FileKind
{
    /// <summary>enum ce_file_kind.</summary>
    public const int Other = 0, Regular = 1, Directory = 2, CharDevice = 3, BlockDevice = 4, Fifo = 5, Socket = 6;

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_file_kind", SetLastError = true)]
    private static partial int CeFileKind(int fd);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_lock_exclusive", SetLastError = true)]
    private static partial int CeLockExclusive(int fd);

    /// <summary>The open file's kind (the constants above), and whether that is a regular file.</summary>
    public static bool IsRegular(SafeFileHandle handle, out int kind)
    {
        using var lease = new Lease(handle);
        kind = CeFileKind(lease.Fd);
        return kind >= 0 ? kind == Regular : throw InteropException.LastError("fstat");
    }

    /// <summary>A human name for <see cref="IsRegular"/>'s kind, for error messages.</summary>
    public static string Describe(int kind) => kind switch
    {
        Regular => "a regular file",
        Directory => "a directory",
        CharDevice => "a character device",
        BlockDevice => "a block device",
        Fifo => "a FIFO",
        Socket => "a socket",
        _ => "a special file",
    };

    /// <summary>Blocks until this process holds an exclusive flock on the file; closing the handle releases it.</summary>
    public static void LockExclusive(SafeFileHandle handle)
    {
        using var lease = new Lease(handle);
        if (CeLockExclusive(lease.Fd) != 0)
            throw InteropException.LastError("flock");
    }
}
