using System.Runtime.InteropServices;

namespace CeIsp.Bench;

/// <summary>The calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID, ns resolution): what a request cost
/// the resolver itself, which a loaded machine's wall clock hides under other processes' turns.</summary>
public static partial class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGettime(int clock, out Timespec ts);

    public static double NowMs() =>
        ClockGettime(ClockThreadCpuTimeId, out Timespec t) == 0 ? t.Seconds * 1e3 + t.Nanoseconds / 1e6 : double.NaN;
}
