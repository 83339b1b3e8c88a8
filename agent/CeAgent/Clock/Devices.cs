using CeAgent.Interop;

namespace CeAgent.Clock;

/// <summary>The real devices: open, ioctl, close. Found under /dev, or named in the configuration.</summary>
public static class Devices
{
    public static IReadOnlyList<IClockReference> Detect(string dev = "/dev")
    {
        var found = new List<IClockReference>();
        foreach (string p in Glob(dev, "ptp"))
            found.Add(new PtpReference(p, b => { PtpReference.Request(b); Device.Ioctl(p, DeviceRequest.PtpSysOffsetExtended, b); }));
        foreach (string p in Glob(dev, "pps"))
            found.Add(new PpsReference(p, b => { FetchTimeout(b); Device.Ioctl(p, DeviceRequest.PpsFetch, b); }));
        string rtc = Path.Combine(dev, "rtc0");
        if (File.Exists(rtc))
            found.Add(new RtcReference(rtc, b => Device.Ioctl(rtc, DeviceRequest.RtcRdTime, b)));
        return found;
    }

    private static IEnumerable<string> Glob(string dev, string prefix) =>
        Directory.Exists(dev) ? Directory.EnumerateFileSystemEntries(dev, prefix + "*").Where(p => p[(dev.Length + 1 + prefix.Length)..].All(char.IsAsciiDigit)).Order() : [];

    /// <summary>PPS_FETCH waits up to the timeout in pps_fdata for the next pulse: one and a bit seconds.</summary>
    private static void FetchTimeout(byte[] b)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(48), 1);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(56), 100_000_000);
    }
}
