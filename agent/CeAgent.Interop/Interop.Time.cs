using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>The kernel's NTP state as adjtimex(2) reports it (read only: modes = 0). Status holds only
/// <see cref="StaUnsync"/>, set by libceagent from the platform's STA_UNSYNC.</summary>
public readonly record struct KernelNtpState(int State, int Status, long MaxErrorUs, long EstErrorUs)
{
    public const int StaUnsync = 1 << 6; // portable: libceagent sets it from STA_UNSYNC
    public const int TimeError = 5;
    public bool Unsynchronized => (Status & StaUnsync) != 0 || State == TimeError;
}

/// <summary>Clocks, adjtimex, the step watch and ioctl. The clock ids, open flags, timerfd flags and struct
/// timex layout are the platform's business: libceagent maps them (native/include/ceplatform.h).</summary>
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

    [LibraryImport(Platform.Lib, EntryPoint = "ce_clock_ns", SetLastError = true)]
    private static partial long ClockNs(int ceClock);

    [LibraryImport(Platform.Lib, EntryPoint = "ce_ntp_read", SetLastError = true)]
    private static partial int NtpRead(NtpState* state);

    [LibraryImport(Platform.Lib, EntryPoint = "ce_step_watch_create", SetLastError = true)]
    private static partial int StepWatchCreate();

    [LibraryImport(Platform.Lib, EntryPoint = "ce_step_watch_fired", SetLastError = true)]
    private static partial int StepWatchFired(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>open(2) with <see cref="Platform"/>'s portable flags (ORdonly, ORdwr); always close-on-exec.</summary>
    [LibraryImport(Platform.Lib, EntryPoint = "ce_open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int ceFlags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* arg);

    public static long NowNs(int clock)
    {
        long ns = ClockNs(clock);
        if (ns < 0)
            throw new IOException($"clock_gettime({clock}): errno {Marshal.GetLastPInvokeError()}");
        return ns;
    }

    /// <summary>Reads the NTP state (adjtimex with modes = 0).</summary>
    public static KernelNtpState ReadNtpState()
    {
        NtpState s;
        if (NtpRead(&s) != 0)
            throw new IOException($"adjtimex: errno {Marshal.GetLastPInvokeError()}");
        return new KernelNtpState(s.State, s.Unsynced != 0 ? KernelNtpState.StaUnsync : 0, s.MaxErrorUs, s.EstErrorUs);
    }

    /// <summary>Arms a watch that is cancelled whenever CLOCK_REALTIME is set: a step of the clock is
    /// noticed at once.</summary>
    public static int CreateStepWatch()
    {
        int fd = StepWatchCreate();
        if (fd < 0)
            throw new IOException($"timerfd: errno {Marshal.GetLastPInvokeError()}");
        return fd;
    }

    /// <summary>True when the clock was set since the watch was armed (re-arm it then).</summary>
    public static bool StepHappened(int fd) => StepWatchFired(fd) == 1;
}

/// <summary>
/// ioctl request numbers. The clock references' come from libceagent (enum ce_ioctl), computed by the
/// platform's own headers: PPS_FETCH, for one, is declared with a pointer type, so it differs between 32-
/// and 64-bit ARM. The _IOC helpers stay for the GPIO character device's requests.
/// </summary>
public static partial class IoctlNumbers
{
    public static uint Ioc(uint dir, char type, uint nr, int size) => (dir << 30) | ((uint)size << 16) | ((uint)type << 8) | nr;
    public static uint Ior(char type, uint nr, int size) => Ioc(2, type, nr, size);
    public static uint Iowr(char type, uint nr, int size) => Ioc(3, type, nr, size);

    private const int PtpSysOffsetExtendedId = 1, PpsFetchId = 2, RtcRdTimeId = 3;

    [LibraryImport(Platform.Lib, EntryPoint = "ce_ioctl_request", SetLastError = true)]
    private static partial nuint Request(int ceIoc);

    [LibraryImport(Platform.Lib, EntryPoint = "ce_ioctl_size", SetLastError = true)]
    private static partial int Size(int ceIoc);

    public static nuint PtpSysOffsetExtended => Request(PtpSysOffsetExtendedId);
    public static int PtpSysOffsetExtendedSize => Size(PtpSysOffsetExtendedId);
    public static nuint PpsFetch => Request(PpsFetchId);
    public static int PpsFetchSize => Size(PpsFetchId);
    public static nuint RtcRdTime => Request(RtcRdTimeId);
    public static int RtcTimeSize => Size(RtcRdTimeId);
}
