using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>Clocks, adjtimex and the step watch. The clock ids, timerfd flags and struct timex layout are
/// the platform's business: libceagent maps them (native/include/ceplatform.h).</summary>
public static unsafe partial class TimeApi
{
    /// <summary>enum ce_clock: portable ids.</summary>
    public const int ClockRealtime = 0, ClockBoottime = 1;

    /// <summary>struct ce_ntp_state: 24 bytes on every ABI.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 24)]
    private struct NtpState
    {
        public int State;
        public int Unsynced;
        public long MaxErrorUs;
        public long EstErrorUs;
    }

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_clock_ns", SetLastError = true)]
    private static partial long ClockNs(int ceClock);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_ntp_read", SetLastError = true)]
    private static partial int NtpRead(NtpState* state);

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_step_watch_create", SetLastError = true)]
    private static partial int StepWatchCreate();

    [LibraryImport(Libraries.CeAgent, EntryPoint = "ce_step_watch_fired", SetLastError = true)]
    private static partial int StepWatchFired(int fd);

    public static long NowNs(int clock)
    {
        long ns = ClockNs(clock);
        return ns >= 0 ? ns : throw InteropException.LastError($"clock_gettime of clock {clock}");
    }

    /// <summary>Reads the NTP state (adjtimex with modes = 0).</summary>
    public static KernelNtpState ReadNtpState()
    {
        NtpState s;
        if (NtpRead(&s) != 0)
            throw InteropException.LastError("adjtimex");
        return new KernelNtpState(s.State, s.Unsynced != 0 ? KernelNtpState.StaUnsync : 0, s.MaxErrorUs, s.EstErrorUs);
    }

    /// <summary>Arms a watch that is cancelled whenever CLOCK_REALTIME is set: a step of the clock is
    /// noticed at once. Dispose closes it.</summary>
    public static FileDescriptorHandle CreateStepWatch()
    {
        var watch = new FileDescriptorHandle(StepWatchCreate());
        return !watch.IsInvalid ? watch : throw InteropException.LastError("arming the clock step watch (timerfd)");
    }

    /// <summary>True when the clock was set since the watch was armed (re-arm it then).</summary>
    public static bool StepHappened(FileDescriptorHandle watch)
    {
        using var lease = new Lease(watch);
        int rc = StepWatchFired(lease.Fd);
        return rc >= 0 ? rc == 1 : throw InteropException.LastError("reading the clock step watch");
    }
}
