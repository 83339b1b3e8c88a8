using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>The conntrack table pushed record by record from the kernel's messages (ce_ct_dump's callback):
/// nothing the size of the table is allocated on either side. A dump of 65,000 flows into an array took
/// 6.5 MB (88 bytes a record) for a moment every sweep, more than the tracker's whole table.</summary>
public static unsafe partial class Conntrack
{
    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_ct_dump", SetLastError = true)]
    private static partial int DumpNative(delegate* unmanaged<CtRecord*, void*, int> each, void* arg);

    /// <summary>Calls <paramref name="each"/> for every IPv4 flow in the table.</summary>
    /// <returns>How many flows the table held.</returns>
    public static int DumpEach(Action<CtRecord> each)
    {
        var state = new DumpState(each);
        GCHandle handle = GCHandle.Alloc(state);
        try
        {
            int n = DumpNative(&OnRecord, (void*)GCHandle.ToIntPtr(handle));
            if (state.Failure is { } failure)
                ExceptionDispatchInfo.Throw(failure);
            return n >= 0 ? n : throw InteropException.LastError("dumping the conntrack table");
        }
        finally
        {
            handle.Free();
        }
    }

    private sealed class DumpState(Action<CtRecord> each)
    {
        public Action<CtRecord> Each { get; } = each;
        public Exception? Failure { get; set; }
    }

    [UnmanagedCallersOnly]
    private static int OnRecord(CtRecord* record, void* arg)
    {
        var state = (DumpState)GCHandle.FromIntPtr((nint)arg).Target!;
        try
        {
            state.Each(*record);
            return 0;
        }
        catch (Exception e)
        {
            // Nothing may unwind through the C library's frames: stop the dump, rethrow on this side.
            state.Failure = e;
            return 1;
        }
    }
}
