using Microsoft.Win32.SafeHandles;

namespace CeAgent.Interop;

/// <summary>An open event subscription (struct ce_ct *); closing it is the native library's job.</summary>
public sealed class ConntrackHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle()
    {
        Conntrack.Close(handle);
        return true;
    }
}
