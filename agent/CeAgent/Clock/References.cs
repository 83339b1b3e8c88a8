using System.Buffers.Binary;
using CeAgent.Shared.Time;

namespace CeAgent.Clock;

/// <summary>The system clock minus the reference, and how well that was measured.</summary>
public readonly record struct ReferenceSample(long OffsetNs, long UncertaintyNs);

public sealed record ReferenceStatus(string Name, ClockSource Source, long? OffsetNs, long? UncertaintyNs, string? Error);

/// <summary>A hardware time reference. Measure returns null when it failed (LastError says why).</summary>
public interface IClockReference
{
    string Name { get; }
    ClockSource Source { get; }
    string? LastError { get; }
    ReferenceSample? Measure(long realtimeNs);
}

/// <summary>
/// Each reference talks to its device through one delegate that fills an ioctl buffer, so the parsing
/// and the decisions are tested with fake buffers; only that delegate touches /dev.
/// </summary>
public abstract class DeviceReference(string name, ClockSource source, Action<byte[]> ioctl, int bufferSize) : IClockReference
{
    public string Name => name;
    public ClockSource Source => source;
    public string? LastError { get; private set; }

    public ReferenceSample? Measure(long realtimeNs)
    {
        var buffer = new byte[bufferSize];
        try
        {
            ioctl(buffer);
            ReferenceSample? s = Interpret(buffer, realtimeNs, out string? problem);
            LastError = problem;
            return s;
        }
        catch (IOException e)
        {
            LastError = e.Message;
            return null;
        }
    }

    protected abstract ReferenceSample? Interpret(byte[] buffer, long realtimeNs, out string? problem);
}

/// <summary>
/// A PTP hardware clock: PTP_SYS_OFFSET_EXTENDED gives N triples (system before, PHC, system after). The
/// narrowest triple is the best sample; half its width is the uncertainty. The PHC usually runs on TAI
/// (ptp4l's default), so the configured TAI-UTC offset is taken off.
/// </summary>
public sealed class PtpReference(string name, Action<byte[]> ioctl, int taiOffsetSeconds = 37)
    : DeviceReference(name, ClockSource.Ptp, ioctl, Interop.IoctlNumbers.PtpSysOffsetExtendedSize)
{
    public const int Samples = 9;

    /// <summary>Fills in the request: the number of samples wanted.</summary>
    public static void Request(byte[] buffer) => BinaryPrimitives.WriteUInt32LittleEndian(buffer, Samples);

    protected override ReferenceSample? Interpret(byte[] b, long realtimeNs, out string? problem)
    {
        int n = (int)BinaryPrimitives.ReadUInt32LittleEndian(b);
        if (n is < 1 or > 25)
        {
            problem = $"the PHC returned {n} samples";
            return null;
        }
        ReferenceSample? best = null;
        for (int i = 0; i < n; i++)
        {
            long before = Time(b, 16 + i * 48), phc = Time(b, 16 + i * 48 + 16), after = Time(b, 16 + i * 48 + 32);
            if (after < before)
                continue;
            long width = after - before;
            long offset = before + width / 2 - (phc - taiOffsetSeconds * 1_000_000_000L);
            if (best is null || width / 2 < best.Value.UncertaintyNs)
                best = new ReferenceSample(offset, width / 2);
        }
        problem = best is null ? "no usable PHC sample" : null;
        return best;
    }

    /// <summary>struct ptp_clock_time: s64 seconds, u32 nanoseconds, u32 reserved.</summary>
    private static long Time(byte[] b, int at) =>
        BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(at)) * 1_000_000_000 + BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at + 8));
}

/// <summary>
/// A PPS source (GPS pulse on a GPIO): PPS_FETCH returns the system time of the last pulse's assert edge.
/// Pulses come on the second, so the fraction of that time is the system clock's offset, provided the
/// clock is within half a second (the seconds come from NTP or GPS messages). A sequence number that does
/// not move means no pulse arrived: the source is failing.
/// </summary>
public sealed class PpsReference(string name, Action<byte[]> ioctl) : DeviceReference(name, ClockSource.Pps, ioctl, Interop.IoctlNumbers.PpsFetchSize)
{
    private uint? _lastSequence;
    public const long UncertaintyNs = 1_000; // interrupt latency of a GPIO edge, typically a few µs

    protected override ReferenceSample? Interpret(byte[] b, long realtimeNs, out string? problem)
    {
        uint seq = BinaryPrimitives.ReadUInt32LittleEndian(b);
        long sec = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(8));
        int nsec = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(16));
        bool stale = _lastSequence == seq || seq == 0;
        _lastSequence = seq;
        if (stale)
        {
            problem = "no new pulse since the last measurement";
            return null;
        }
        if (nsec is < 0 or >= 1_000_000_000 || Math.Abs(realtimeNs - (sec * 1_000_000_000 + nsec)) > 10_000_000_000)
        {
            problem = $"pulse time {sec}.{nsec:D9} is not recent";
            return null;
        }
        problem = null;
        return new ReferenceSample(nsec < 500_000_000 ? nsec : nsec - 1_000_000_000L, UncertaintyNs);
    }
}

/// <summary>A battery-backed RTC read with RTC_RD_TIME (struct rtc_time, UTC). One-second resolution: it
/// can only say whether the system clock is plausible at boot.</summary>
public sealed class RtcReference(string name, Action<byte[]> ioctl) : DeviceReference(name, ClockSource.Rtc, ioctl, Interop.IoctlNumbers.RtcTimeSize)
{
    protected override ReferenceSample? Interpret(byte[] b, long realtimeNs, out string? problem)
    {
        int F(int i) => BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(i * 4));
        try
        {
            var t = new DateTime(F(5) + 1900, F(4) + 1, F(3), F(2), F(1), F(0), DateTimeKind.Utc);
            problem = null;
            long rtcNs = (t.Ticks - DateTime.UnixEpoch.Ticks) * 100;
            return new ReferenceSample(realtimeNs - rtcNs, 1_000_000_000);
        }
        catch (ArgumentOutOfRangeException)
        {
            problem = $"the RTC holds an invalid date ({F(5) + 1900}-{F(4) + 1}-{F(3)} {F(2)}:{F(1)}:{F(0)})";
            return null;
        }
    }
}
