using Microsoft.Win32.SafeHandles;

namespace CeAgent.Interop;

/// <summary>A descriptor libceagent opened (a clock device, the step watch): closed once, when the last user
/// lets go of it.</summary>
public sealed class FileDescriptorHandle : SafeHandleMinusOneIsInvalid
{
    internal FileDescriptorHandle(int fd) : base(ownsHandle: true) => SetHandle(fd);

    protected override bool ReleaseHandle() => Sys.Close((int)handle) == 0;
}
