using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>The generic system calls (as dotnet/runtime's Interop.Sys), through libceagent's platform layer
/// (native/include/ceplatform.h): descriptors, waiting for input, device ioctls, errno classes.</summary>
internal static unsafe partial class Sys
{
    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, OpenFlags flags);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_poll_in", SetLastError = true)]
    private static partial int PollIn(int fd, int timeoutMs);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, DeviceRequest request, void* arg, nuint size);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_ioctl_request", SetLastError = true)]
    internal static partial nuint IoctlRequest(DeviceRequest request);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_ioctl_size", SetLastError = true)]
    internal static partial int IoctlSize(DeviceRequest request);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_errno_class")]
    internal static partial ErrnoClass Classify(int errno);

    /// <summary>True when fd has input (or an error its next read will report) within the timeout; false
    /// on timeout or a signal.</summary>
    internal static bool WaitForInput(int fd, int timeoutMs, string operation)
    {
        int rc = PollIn(fd, timeoutMs);
        if (rc >= 0)
            return rc > 0;
        int errno = Marshal.GetLastPInvokeError();
        return Classify(errno) == ErrnoClass.Interrupted ? false : throw new InteropException(operation, errno);
    }
}
