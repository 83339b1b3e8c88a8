using CeAgent.Clock;
using CeAgent.Interop;

namespace CeAgent.Tests.Clock;

/// <summary>The real device path (open, ioctl, close through libceagent) against what this machine has:
/// files that are not clocks. Errors name the file, the request and the platform's text for errno.</summary>
public class DeviceTests
{
    private const int ENOENT = 2, ENOTTY = 25, EINVAL = 22; // Linux's generic numbering (x86-64, arm64)

    [Fact]
    public void An_ioctl_the_device_does_not_know_is_an_error_naming_file_request_and_errno()
    {
        var e = Assert.Throws<InteropException>(() => Device.Ioctl("/dev/null", DeviceRequest.RtcRdTime, new byte[IoctlNumbers.RtcTimeSize]));
        Assert.Equal(ENOTTY, e.Errno);
        Assert.Equal("/dev/null: ioctl RtcRdTime", e.Operation);
        Assert.Equal("/dev/null: ioctl RtcRdTime: Inappropriate ioctl for device (errno 25)", e.Message);
    }

    [Fact]
    public void A_missing_device_is_an_open_error()
    {
        var e = Assert.Throws<InteropException>(() => Device.Ioctl("/nonexistent/ptp0", DeviceRequest.PtpSysOffsetExtended, new byte[IoctlNumbers.PtpSysOffsetExtendedSize]));
        Assert.Equal((ENOENT, "/nonexistent/ptp0: open"), (e.Errno, e.Operation));
        Assert.Contains("No such file or directory", e.Message);
    }

    [Fact]
    public void A_buffer_smaller_than_the_request_struct_is_refused_before_the_kernel_writes()
    {
        byte[] small = new byte[IoctlNumbers.PpsFetchSize - 1];
        var e = Assert.Throws<InteropException>(() => Device.Ioctl("/dev/null", DeviceRequest.PpsFetch, small));
        Assert.Equal(EINVAL, e.Errno); // /dev/null would say ENOTTY: the size check came first
        Assert.All(small, b => Assert.Equal(0, b));
        Assert.Equal(EINVAL, Assert.Throws<InteropException>(() => Device.Ioctl("/dev/null", (DeviceRequest)99, new byte[4096])).Errno);
    }

    [Fact]
    public void A_detected_reference_that_is_no_clock_reports_why()
    {
        string dev = Directory.CreateTempSubdirectory("ce-dev-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dev, "rtc0"), "not a clock");
            IClockReference rtc = Assert.Single(Devices.Detect(dev));
            Assert.Null(rtc.Measure(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000));
            Assert.Equal($"{dev}/rtc0: ioctl RtcRdTime: Inappropriate ioctl for device (errno 25)", rtc.LastError);
        }
        finally
        {
            Directory.Delete(dev, recursive: true);
        }
    }
}
