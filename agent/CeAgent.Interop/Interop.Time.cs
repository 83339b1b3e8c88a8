using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>The kernel's NTP state as adjtimex(2) reports it (read only: modes = 0).</summary>
public readonly record struct KernelNtpState(int State, int Status, long MaxErrorUs, long EstErrorUs)
{
    public const int StaUnsync = 0x0040;
    public const int TimeError = 5;
    public bool Unsynchronized => (Status & StaUnsync) != 0 || State == TimeError;
}

/// <summary>Clocks, adjtimex, timerfd and ioctl: libc calls the clock monitor needs.</summary>
public static unsafe partial class TimeApi
{
    public const int ClockRealtime = 0, ClockBoottime = 7;
    public const int TfdNonblock = 0x800, TfdCloexec = 0x80000;
    public const int TfdTimerAbstime = 1, TfdTimerCancelOnSet = 2;
    public const int ECANCELED = 125, EAGAIN = 11;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public nint Sec;
        public nint Nsec;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ITimerspec
    {
        public Timespec Interval;
        public Timespec Value;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGettime(int clock, Timespec* ts);

    [LibraryImport("libc", EntryPoint = "adjtimex", SetLastError = true)]
    private static partial int Adjtimex(byte* timex);

    [LibraryImport("libc", EntryPoint = "timerfd_create", SetLastError = true)]
    public static partial int TimerfdCreate(int clock, int flags);

    [LibraryImport("libc", EntryPoint = "timerfd_settime", SetLastError = true)]
    private static partial int TimerfdSettime(int fd, int flags, ITimerspec* value, ITimerspec* old);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* arg);

    public static long NowNs(int clock)
    {
        Timespec ts;
        if (ClockGettime(clock, &ts) != 0)
            throw new IOException($"clock_gettime({clock}): errno {Marshal.GetLastPInvokeError()}");
        return (long)ts.Sec * 1_000_000_000 + ts.Nsec;
    }

    /// <summary>
    /// Reads the NTP state. struct timex holds C longs, so its layout differs between 64-bit and 32-bit
    /// ARM: the fields are read at offsets computed from the pointer size rather than from one struct.
    /// </summary>
    public static KernelNtpState ReadNtpState()
    {
        byte* t = stackalloc byte[512]; // larger than struct timex on every ABI
        new Span<byte>(t, 512).Clear();
        int state = Adjtimex(t);
        if (state < 0)
            throw new IOException($"adjtimex: errno {Marshal.GetLastPInvokeError()}");
        int l = IntPtr.Size; // sizeof(long): modes (int, padded to a long), offset, freq, maxerror, esterror, status
        var span = new ReadOnlySpan<byte>(t, 512);
        int status = BinaryPrimitives.ReadInt32LittleEndian(span[(5 * l)..]);
        return new KernelNtpState(state, status, CLong(span, 3 * l), CLong(span, 4 * l));
    }

    private static long CLong(ReadOnlySpan<byte> s, int at) =>
        IntPtr.Size == 8 ? BinaryPrimitives.ReadInt64LittleEndian(s[at..]) : BinaryPrimitives.ReadInt32LittleEndian(s[at..]);

    /// <summary>Arms a timerfd on CLOCK_REALTIME that fires never but is cancelled whenever the clock is
    /// set: a read then fails with ECANCELED, which is how a step of the clock is noticed at once.</summary>
    public static int CreateStepWatch()
    {
        int fd = TimerfdCreate(ClockRealtime, TfdNonblock | TfdCloexec);
        if (fd < 0)
            throw new IOException($"timerfd_create: errno {Marshal.GetLastPInvokeError()}");
        var spec = new ITimerspec { Value = new Timespec { Sec = (nint)(NowNs(ClockRealtime) / 1_000_000_000 + 10L * 365 * 86400) } };
        if (TimerfdSettime(fd, TfdTimerAbstime | TfdTimerCancelOnSet, &spec, null) != 0)
        {
            int e = Marshal.GetLastPInvokeError();
            Close(fd);
            throw new IOException($"timerfd_settime: errno {e}");
        }
        return fd;
    }

    /// <summary>True when the clock was set since the watch was armed (re-arm it then).</summary>
    public static bool StepHappened(int fd)
    {
        ulong expirations;
        nint n = Read(fd, (byte*)&expirations, 8);
        return n < 0 && Marshal.GetLastPInvokeError() == ECANCELED;
    }
}

/// <summary>
/// ioctl request numbers, computed like the kernel's _IOR/_IOWR macros. PPS_FETCH is declared with a
/// pointer type, so its size field (and the number) differs between 32- and 64-bit ARM; the others use
/// fixed-size structs and are the same on both.
/// </summary>
public static class IoctlNumbers
{
    public static uint Ioc(uint dir, char type, uint nr, int size) => (dir << 30) | ((uint)size << 16) | ((uint)type << 8) | nr;
    public static uint Ior(char type, uint nr, int size) => Ioc(2, type, nr, size);
    public static uint Iowr(char type, uint nr, int size) => Ioc(3, type, nr, size);

    /// <summary>struct ptp_sys_offset_extended: n_samples, 3 reserved, 25 × 3 ptp_clock_time (16 bytes).</summary>
    public const int PtpSysOffsetExtendedSize = 16 + 25 * 3 * 16;
    public static uint PtpSysOffsetExtended => Iowr('=', 9, PtpSysOffsetExtendedSize);
    public static uint PpsFetch(int pointerSize) => Iowr('p', 0xa4, pointerSize);
    public const int RtcTimeSize = 9 * 4;
    public static uint RtcRdTime => Ior('p', 0x09, RtcTimeSize);
}
