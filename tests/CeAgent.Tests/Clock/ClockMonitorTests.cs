using CeAgent.Clock;
using CeAgent.Interop;
using CeAgent.Shared.Time;

namespace CeAgent.Tests.Clock;

public class ClockMonitorTests
{
    private const long S = 1_000_000_000;
    private const long Utc0 = 1_795_000_000 * S; // the true UTC when boottime is 100 s

    /// <summary>A kernel whose clocks the test moves: realtime = boottime + offset, with an NTP state.</summary>
    private sealed class FakeKernel : IKernelClock
    {
        public long Boottime = 100 * S;
        public long Offset = Utc0 - 100 * S;
        public KernelNtpState Ntp = new(5, KernelNtpState.StaUnsync, 16_000_000, 16_000_000);
        public KernelReading Read() => new(Boottime + Offset, Boottime, Ntp);
        public void Sync(long maxErrorUs) => Ntp = new(0, 0, maxErrorUs, maxErrorUs / 2);
        public void Unsync() => Ntp = new(5, KernelNtpState.StaUnsync, 16_000_000, 16_000_000);
    }

    private static ClockMonitor Monitor(FakeKernel k, NtpSignal? signal = null, params IClockReference[] refs) => new(k, refs, () => signal);

    [Fact]
    public void Kernel_ntp_synchronised_gives_its_maxerror()
    {
        var k = new FakeKernel();
        k.Sync(maxErrorUs: 12_500);
        ClockStatus s = Monitor(k).Update();
        Assert.Equal(new ClockQuality(ClockSource.Ntp, true, 13), s.Quality);
        Assert.Equal(7u, s.EstimatedErrorMs);
        Assert.Equal(Utc0, s.UtcNs);
    }

    [Fact]
    public void A_plausible_date_alone_is_never_synchronised()
    {
        var k = new FakeKernel(); // the year is 2026, but nothing vouches for it
        ClockStatus s = Monitor(k).Update();
        Assert.Equal(ClockQuality.Unknown, s.Quality);
        Assert.False(s.Plausible);
    }

    [Fact]
    public void Events_before_synchronisation_are_restamped_once_utc_is_known()
    {
        var k = new FakeKernel { Offset = -100 * S }; // booted without RTC: realtime starts near 1970
        var m = Monitor(k);
        m.Update();
        long eventBoottime = m.ToBoottime(k.Boottime + k.Offset + 2 * S); // a conntrack stamp 2 s after boot+100 s
        Assert.Equal(ClockQuality.Unknown, m.ToUtc(eventBoottime).Quality);

        k.Boottime += 600 * S; // ten minutes later ntpd steps the clock and synchronises
        k.Offset = Utc0 - 100 * S;
        k.Sync(maxErrorUs: 20_000);
        ClockStatus s = m.Update();
        Assert.Equal(1, s.Steps);
        var (utc, q) = m.ToUtc(eventBoottime);
        Assert.Equal(Utc0 + 2 * S, utc);
        // 20 ms at the anchor plus 500 ppm of the 598 s between the event and the anchor: 319 ms.
        Assert.Equal(new ClockQuality(ClockSource.Ntp, true, 319), q);
    }

    [Theory]
    [InlineData(3600)]
    [InlineData(-3600)]
    public void Steps_while_flows_are_open_do_not_move_their_times(long stepSeconds)
    {
        var k = new FakeKernel();
        k.Sync(1_000);
        var m = Monitor(k);
        m.Update();
        long opened = m.ToBoottime(Utc0 + 5 * S); // a flow opened at the true Utc0 + 5 s
        k.Boottime += 10 * S;
        k.Offset += stepSeconds * S; // someone sets the clock by hand: NTP now reports unsynchronised
        k.Unsync();
        ClockStatus s = m.Update();
        Assert.Equal(1, s.Steps);
        Assert.False(s.Quality.Synchronized);
        Assert.Equal(Utc0 + 5 * S, m.ToUtc(opened).UtcNs);
        Assert.Equal(Utc0 + 10 * S, s.UtcNs); // the anchor's UTC, not the stepped clock
    }

    [Fact]
    public void Holdover_bound_grows_at_500_ppm()
    {
        var k = new FakeKernel();
        k.Sync(2_000);
        var m = Monitor(k);
        m.Update();
        k.Unsync();
        k.Boottime += 3600 * S;
        ClockStatus s = m.Update();
        Assert.Equal(new ClockQuality(ClockSource.Ntp, false, 2 + 1800), s.Quality);
    }

    [Fact]
    public void Busybox_ntpd_signal_counts_as_synchronised_while_fresh()
    {
        var k = new FakeKernel();
        var fresh = NtpSignal.Parse("action=stratum stratum=2 offset=-0.004 uptime=90.5");
        ClockStatus s = Monitor(k, fresh).Update();
        Assert.Equal(new ClockQuality(ClockSource.Ntp, true, 104), s.Quality);
        var stale = NtpSignal.Parse("action=stratum stratum=2 offset=0 uptime=1");
        k.Boottime = 5000 * S;
        Assert.False(Monitor(k, stale).Update().Quality.Synchronized);
        Assert.False(Monitor(k, NtpSignal.Parse("action=unsync stratum=16 uptime=4999")).Update().Quality.Synchronized);
    }

    [Theory]
    [InlineData("stratum=2 uptime=5", "missing action=")]
    [InlineData("action=stratum stratum=x uptime=5", "stratum='x' is not a number")]
    [InlineData("action=stratum stratum=2", "missing uptime=")]
    [InlineData("action=stratum garbage", "'garbage' is not key=value")]
    public void Malformed_signals_name_the_field(string text, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => NtpSignal.Parse(text)).Message);

    [Fact]
    public void Malformed_signal_file_is_reported_and_ignored()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, "action=stratum stratum=nope uptime=1");
        string? reported = null;
        Assert.Null(NtpSignal.TryRead(path, m => reported = m));
        Assert.Contains("stratum='nope'", reported);
        File.Delete(path);
        Assert.Null(NtpSignal.TryRead(path));
    }
}
