using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>Holds a reference on a SafeHandle for the length of a native call that takes its raw value, so a
/// Dispose on another thread cannot close the descriptor (and the kernel hand its number to another file)
/// mid-call.</summary>
internal ref struct Lease
{
    private readonly SafeHandle _handle;
    private bool _added;

    public Lease(SafeHandle handle)
    {
        _handle = handle;
        handle.DangerousAddRef(ref _added);
    }

    public readonly nint Handle => _handle.DangerousGetHandle();

    public readonly int Fd => (int)_handle.DangerousGetHandle();

    public void Dispose()
    {
        if (_added)
            _handle.DangerousRelease();
        _added = false;
    }
}
