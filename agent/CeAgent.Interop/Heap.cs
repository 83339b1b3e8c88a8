using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>The C library's heap, as libceagent sets it (ce_heap_keep).</summary>
public static partial class Heap
{
    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_heap_keep", SetLastError = true)]
    private static partial int HeapKeep(nint bytes);

    /// <summary>Lets up to that many bytes freed at the top of the C heap stay mapped instead of going back to
    /// the kernel at once. False where the C library has no such setting (musl): nothing was done.</summary>
    public static bool KeepFreedTop(long bytes)
    {
        int rc = HeapKeep((nint)bytes);
        if (rc < 0)
            throw InteropException.LastError($"keeping {bytes} bytes freed at the top of the C heap");
        return rc == 0;
    }
}
