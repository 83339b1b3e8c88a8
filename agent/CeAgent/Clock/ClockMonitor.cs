using CeAgent.Interop;
using CeAgent.Shared.Time;

namespace CeAgent.Clock;

/// <summary>One reading of the kernel's clocks and NTP state, taken together.</summary>
public readonly record struct KernelReading(long RealtimeNs, long BoottimeNs, KernelNtpState Ntp);

public interface IKernelClock
{
    KernelReading Read();
}

/// <summary>What the monitor concluded at one update.</summary>
public sealed record ClockStatus(
    ClockQuality Quality,
    uint EstimatedErrorMs,
    long UtcNs,
    long BoottimeNs,
    bool Plausible,
    long Steps,
    IReadOnlyList<ReferenceStatus> References);

/// <summary>
/// Decides how far the system clock can be trusted, and keeps the mapping from CLOCK_BOOTTIME (which never
/// steps) to UTC. The best available reference wins: a PTP hardware clock or a PPS pulse (microseconds),
/// the kernel's NTP discipline (its maxerror), or the explicit signal from OpenWrt's busybox ntpd, which
/// never clears the kernel's unsynchronised flag. Between references the error bound grows at 500 ppm,
/// the kernel's own assumption for an undisciplined clock. A plausible-looking date is never taken as
/// synchronised: without a reference the bound is unknown. Pure: the kernel and the devices are behind
/// interfaces.
/// </summary>
public sealed class ClockMonitor(IKernelClock kernel, IReadOnlyList<IClockReference> references, Func<NtpSignal?> signal)
{
    public const double DriftPpm = 500;
    /// <summary>A change of realtime minus boottime larger than this between updates is a step, not slewing.</summary>
    public const long StepThresholdNs = 100_000_000;
    private Anchor? _anchor;
    private long? _lastOffsetNs;
    private long _steps;
    private KernelReading _last;

    private readonly record struct Anchor(long BoottimeNs, long UtcNs, long ErrorNs, ClockSource Source);

    public bool EverSynchronized => _anchor is not null;

    public ClockStatus Update()
    {
        _last = kernel.Read();
        long offset = _last.RealtimeNs - _last.BoottimeNs;
        if (_lastOffsetNs is { } prev && Math.Abs(offset - prev) > StepThresholdNs)
            _steps++;
        _lastOffsetNs = offset;

        var statuses = new List<ReferenceStatus>();
        (long Utc, long Error, ClockSource Source)? best = null;
        bool plausible = false;
        foreach (IClockReference r in references)
        {
            ReferenceSample? s = r.Measure(_last.RealtimeNs);
            statuses.Add(new ReferenceStatus(r.Name, r.Source, s?.OffsetNs, s?.UncertaintyNs, r.LastError));
            if (s is not { } sample)
                continue;
            if (r.Source == ClockSource.Rtc)
            {
                // An RTC only tells a plausible clock from a stale one; it does not synchronise.
                plausible = Math.Abs(sample.OffsetNs) < 2_000_000_000;
                continue;
            }
            Consider(ref best, (_last.RealtimeNs - sample.OffsetNs, sample.UncertaintyNs, r.Source));
        }
        if (!_last.Ntp.Unsynchronized)
            Consider(ref best, (_last.RealtimeNs, _last.Ntp.MaxErrorUs * 1000, ClockSource.Ntp));
        if (signal() is { } sig && sig.IsFresh(_last.BoottimeNs))
            Consider(ref best, (_last.RealtimeNs, sig.ErrorNs, ClockSource.Ntp));

        if (best is { } b)
            _anchor = new Anchor(_last.BoottimeNs, b.Utc, b.Error, b.Source);
        var (utc, quality) = ToUtc(_last.BoottimeNs);
        if (best is null && quality.Synchronized)
            quality = quality with { Synchronized = false }; // holding over: only the growing bound is left
        uint estimated = best is { Source: ClockSource.Ntp } && !_last.Ntp.Unsynchronized
            ? ToMs(_last.Ntp.EstErrorUs * 1000)
            : quality.MaxErrorMs;
        return new ClockStatus(quality, estimated, utc, _last.BoottimeNs, plausible || _anchor is not null, _steps, statuses);
    }

    /// <summary>The UTC of a CLOCK_BOOTTIME instant, and how sure that is. Before the first reference the
    /// system clock is all there is, and its error is unknown.</summary>
    public (long UtcNs, ClockQuality Quality) ToUtc(long boottimeNs)
    {
        if (_anchor is not { } a)
            return (boottimeNs + (_lastOffsetNs ?? 0), ClockQuality.Unknown);
        long delta = boottimeNs - a.BoottimeNs;
        long error = a.ErrorNs + (long)(Math.Abs(delta) * DriftPpm / 1e6);
        return (a.UtcNs + delta, new ClockQuality(a.Source, true, ToMs(error)));
    }

    /// <summary>A wall-clock time the kernel stamped (conntrack) as CLOCK_BOOTTIME, using the offset of the
    /// last reading: valid for events read promptly, which is how the agent reads them.</summary>
    public long ToBoottime(long realtimeNs) => realtimeNs - (_lastOffsetNs ?? 0);

    private static void Consider(ref (long Utc, long Error, ClockSource Source)? best, (long Utc, long Error, ClockSource Source) c)
    {
        if (best is null || c.Error < best.Value.Error)
            best = c;
    }

    private static uint ToMs(long ns) => ns <= 0 ? 0 : ns >= (long)uint.MaxValue * 1_000_000 ? uint.MaxValue - 1 : (uint)((ns + 999_999) / 1_000_000);
}

/// <summary>The kernel's own clocks and adjtimex.</summary>
public sealed class KernelClock : IKernelClock
{
    public KernelReading Read() =>
        new(TimeApi.NowNs(TimeApi.ClockRealtime), TimeApi.NowNs(TimeApi.ClockBoottime), TimeApi.ReadNtpState());
}
