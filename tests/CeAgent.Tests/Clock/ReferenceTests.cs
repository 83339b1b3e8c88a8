using System.Buffers.Binary;
using CeAgent.Clock;
using CeAgent.Interop;
using CeAgent.Shared.Time;

namespace CeAgent.Tests.Clock;

/// <summary>The hardware references, faked at the ioctl buffer: the one place that touches /dev.</summary>
public class ReferenceTests
{
    private const long S = 1_000_000_000;
    private const long Now = 1_795_000_000 * S;

    private static void PutTime(byte[] b, int at, long ns)
    {
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(at), ns / S);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at + 8), (uint)(ns % S));
    }

    [Fact]
    public void Ptp_takes_the_narrowest_sample_and_removes_tai()
    {
        var ptp = new PtpReference("/dev/ptp0", b =>
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, 3);
            (long before, long after)[] windows = [(Now, Now + 8_000), (Now + 100_000, Now + 102_000), (Now + 200_000, Now + 205_000)];
            for (int i = 0; i < 3; i++)
            {
                PutTime(b, 16 + i * 48, windows[i].before);
                // The PHC (on TAI) reads 250 µs behind the system clock's midpoint.
                PutTime(b, 16 + i * 48 + 16, (windows[i].before + windows[i].after) / 2 - 250_000 + 37 * S);
                PutTime(b, 16 + i * 48 + 32, windows[i].after);
            }
        });
        Assert.Equal(new ReferenceSample(250_000, 1_000), ptp.Measure(Now));
        Assert.Null(ptp.LastError);
    }

    [Fact]
    public void Ptp_failures_are_reported()
    {
        var broken = new PtpReference("/dev/ptp0", _ => throw new IOException("/dev/ptp0: ioctl failed, errno 95"));
        Assert.Null(broken.Measure(Now));
        Assert.Contains("errno 95", broken.LastError);
        var empty = new PtpReference("/dev/ptp1", b => BinaryPrimitives.WriteUInt32LittleEndian(b, 0));
        Assert.Null(empty.Measure(Now));
        Assert.Contains("0 samples", empty.LastError);
    }

    private static Action<byte[]> Pulse(uint seq, long assertNs) => b =>
    {
        BinaryPrimitives.WriteUInt32LittleEndian(b, seq);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(8), assertNs / S);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(16), (int)(assertNs % S));
    };

    [Theory]
    [InlineData(1_200, 1_200)]              // the clock is 1.2 µs ahead of the pulse
    [InlineData(999_998_000, -2_000)]       // 2 µs behind
    public void Pps_fraction_of_the_assert_time_is_the_offset(long fraction, long offset)
    {
        var pps = new PpsReference("/dev/pps0", Pulse(7, Now - S + fraction));
        Assert.Equal(new ReferenceSample(offset, PpsReference.UncertaintyNs), pps.Measure(Now));
    }

    [Fact]
    public void Pps_without_new_pulses_or_with_old_ones_fails()
    {
        var pps = new PpsReference("/dev/pps0", Pulse(7, Now - S));
        Assert.NotNull(pps.Measure(Now));
        Assert.Null(pps.Measure(Now));
        Assert.Contains("no new pulse", pps.LastError);
        var old = new PpsReference("/dev/pps1", Pulse(8, Now - 3600 * S));
        Assert.Null(old.Measure(Now));
        Assert.Contains("not recent", old.LastError);
    }

    private static Action<byte[]> Rtc(int year, int mon, int day, int h, int m, int s) => b =>
    {
        int[] f = [s, m, h, day, mon - 1, year - 1900, 0, 0, 0];
        for (int i = 0; i < f.Length; i++)
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(i * 4), f[i]);
    };

    [Fact]
    public void Rtc_tells_a_plausible_clock_from_a_stale_one_but_never_synchronises()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(Now / S).UtcDateTime;
        var kernel = new FixedKernel(Now);
        var good = new ClockMonitor(kernel, [new RtcReference("/dev/rtc0", Rtc(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second))], () => null).Update();
        Assert.True(good.Plausible);
        Assert.False(good.Quality.Synchronized);
        Assert.Equal(uint.MaxValue, good.Quality.MaxErrorMs);
        var stale = new ClockMonitor(kernel, [new RtcReference("/dev/rtc0", Rtc(2024, 1, 1, 0, 0, 0))], () => null).Update();
        Assert.False(stale.Plausible);
        var bad = new RtcReference("/dev/rtc0", Rtc(2024, 13, 40, 0, 0, 0));
        Assert.Null(bad.Measure(Now));
        Assert.Contains("invalid date", bad.LastError);
    }

    [Fact]
    public void A_pps_reference_outranks_ntp()
    {
        var kernel = new FixedKernel(Now, synced: true);
        var s = new ClockMonitor(kernel, [new PpsReference("/dev/pps0", Pulse(1, Now - S + 3_000))], () => null).Update();
        Assert.Equal(ClockSource.Pps, s.Quality.Source);
        Assert.True(s.Quality.Synchronized);
        Assert.Equal(Now - 3_000, s.UtcNs);
        Assert.Equal(1u, s.Quality.MaxErrorMs);
    }

    private sealed class FixedKernel(long realtime, bool synced = false) : IKernelClock
    {
        public KernelReading Read() => new(realtime, 50 * S, synced ? new KernelNtpState(0, 0, 50_000, 1_000) : new KernelNtpState(5, KernelNtpState.StaUnsync, 16_000_000, 16_000_000));
    }

    /// <summary>Through libceagent, which takes them from the platform's headers (x86-64 here; the same C
    /// mapping is checked on aarch64 by tests/native/test_platform.c under qemu and in the arm64 VM).</summary>
    [Fact]
    public void Ioctl_numbers_and_sizes_come_from_the_platform_layer()
    {
        Assert.Equal((nuint)0xC4C03D09u, IoctlNumbers.PtpSysOffsetExtended);
        Assert.Equal(1216, IoctlNumbers.PtpSysOffsetExtendedSize);
        Assert.Equal((nuint)0xC00870A4u, IoctlNumbers.PpsFetch); // 64-bit: the pointer in the macro is 8 bytes
        Assert.Equal(64, IoctlNumbers.PpsFetchSize);
        Assert.Equal((nuint)0x80247009u, IoctlNumbers.RtcRdTime);
        Assert.Equal(36, IoctlNumbers.RtcTimeSize);
    }
}
