using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CeAgent.Interop;

/// <summary>
/// What .NET does not tell about an open file: whether it is a regular file (not /dev/null, a FIFO or a
/// socket that swallows what is written), and a blocking exclusive lock that other processes honour.
/// </summary>
public static partial class FileKind
{
    // statx(2)'s struct and flags come from the kernel's generic uapi headers, identical on every Linux
    // architecture (unlike struct stat, whose layout differs between x86-64 and aarch64).
    private const int AtEmptyPath = 0x1000, StatxType = 0x1, StatxMode = 0x2, SIfmt = 0xF000, SIfreg = 0x8000, LockEx = 2;

    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(28)] public ushort Mode;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxCall(int dirfd, string path, int flags, uint mask, out Statx buf);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    /// <summary>The file type bits of an open file's mode (S_IFMT), and whether that is a regular file.</summary>
    public static bool IsRegular(SafeFileHandle handle, out int typeBits)
    {
        int r = WithFd(handle, fd => StatxCall(fd, "", AtEmptyPath, StatxType | StatxMode, out Statx s) == 0 ? s.Mode : -1);
        if (r < 0)
            throw new IOException($"statx: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        typeBits = r & SIfmt;
        return typeBits == SIfreg;
    }

    /// <summary>A human name for <see cref="IsRegular"/>'s type bits, for error messages.</summary>
    public static string Describe(int typeBits) => typeBits switch
    {
        0x8000 => "a regular file",
        0x4000 => "a directory",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0x1000 => "a FIFO",
        0xC000 => "a socket",
        _ => $"file type 0x{typeBits:x}",
    };

    /// <summary>Blocks until this process holds flock(LOCK_EX) on the file; closing the handle releases it.</summary>
    public static void LockExclusive(SafeFileHandle handle)
    {
        if (WithFd(handle, fd => Flock(fd, LockEx)) != 0)
            throw new IOException($"flock: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    private static int WithFd(SafeFileHandle handle, Func<int, int> call)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return call((int)handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }
}
