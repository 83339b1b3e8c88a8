using CeAgent.Service;

namespace CeAgent.Tests.Service;

/// <summary>STATUS= and the watchdog through Hosting.Systemd's notifier, faked at its interface (the real
/// socket is exercised by RunTests' systemd test).</summary>
public sealed class ServiceStatusTests
{
    [Theory]
    [InlineData("1000000", null, 500)]
    [InlineData("30000000", "4242", 15_000)]
    [InlineData("30000000", "4243", null)]   // meant for another process
    [InlineData("0", null, null)]
    [InlineData("-5", null, null)]
    [InlineData("1e6", null, null)]
    [InlineData(" 1000", null, null)]
    [InlineData("", null, null)]
    [InlineData(null, null, null)]
    [InlineData("99999999999999999999", null, null)] // overflows a long: no watchdog rather than a wrong one
    public void Watchdog_interval_is_half_of_WATCHDOG_USEC_for_this_process_only(string? usec, string? pid, int? expectedMs) =>
        Assert.Equal(expectedMs is null ? null : TimeSpan.FromMilliseconds(expectedMs.Value), ServiceStatus.WatchdogFrom(usec, pid, 4242));

    [Fact]
    public void Status_and_watchdog_are_sent_and_the_watchdog_at_most_once_an_interval()
    {
        var n = new RecordingNotifier(enabled: true);
        var s = new ServiceStatus(n, TimeSpan.FromHours(1));
        s.Status("publishing");
        s.Watchdog();
        s.Watchdog();
        Assert.Equal(["STATUS=publishing", "WATCHDOG=1"], n.Sent);
    }

    [Fact]
    public void Without_a_notify_socket_nothing_is_sent_and_there_is_no_watchdog()
    {
        var n = new RecordingNotifier(enabled: false);
        var s = new ServiceStatus(n, TimeSpan.FromSeconds(1));
        s.Status("publishing");
        s.Watchdog();
        Assert.Empty(n.Sent);
        Assert.Null(s.WatchdogInterval);
    }

    [Fact]
    public void Ready_is_told_once_after_its_status_and_stopping_only_after_ready()
    {
        var n = new RecordingNotifier(enabled: true);
        var s = new ServiceStatus(n, null);
        s.Stopping(); // a start that failed: no STOPPING=1 for a service that never was ready
        s.Ready("up");
        s.Ready("up again");
        s.Stopping();
        Assert.Equal(["STATUS=up", "READY=1", "STOPPING=1"], n.Sent);
        Assert.True(s.IsReady);
    }

    public static TheoryData<Exception, int?> Failures => new()
    {
        { new Interop.InteropException("opening conntrack events", 1), 1 },
        { new IOException("Not a directory", 20), 20 },
        { new UnauthorizedAccessException("Access to the path '/x' is denied.", new IOException("Permission denied", 13)), 13 },
        { new IOException("broker refused the connection"), null },     // HResult COR_E_IO, not an errno
        { new FileNotFoundException("gone"), null },
        { new FormatException("windowSeconds: 7 must divide a day"), null },
        { new UnauthorizedAccessException("no inner"), null },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failure_is_told_as_status_with_the_errno_it_carries(Exception e, int? errno)
    {
        var n = new RecordingNotifier(enabled: true);
        new ServiceStatus(n, null).Failed(e);
        string sent = Assert.Single(n.Sent);
        Assert.Equal("STATUS=fault: " + e.Message + (errno is null ? "" : $"\nERRNO={errno}"), sent);
        Assert.DoesNotContain("READY=1", sent);
    }

    [Fact]
    public void A_vanished_systemd_fails_nothing()
    {
        var s = new ServiceStatus(new RecordingNotifier(enabled: true, broken: true), TimeSpan.FromSeconds(1));
        s.Status("stopping");
        s.Watchdog();
        Assert.NotNull(s.WatchdogInterval);
    }
}
