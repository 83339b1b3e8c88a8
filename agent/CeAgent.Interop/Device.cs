namespace CeAgent.Interop;

/// <summary>A request to a character device (PTP, PPS, RTC): open read-only, ioctl, close.</summary>
public static unsafe class Device
{
    /// <summary>Fills (and first passes) <paramref name="argument"/>, which must be at least the request's
    /// struct (<see cref="IoctlNumbers"/>): libceagent refuses a smaller buffer with EINVAL rather than let
    /// the kernel write past it.</summary>
    public static void Ioctl(string path, DeviceRequest request, Span<byte> argument)
    {
        using var fd = new FileDescriptorHandle(Sys.Open(path, OpenFlags.ReadOnly));
        if (fd.IsInvalid)
            throw InteropException.LastError($"{path}: open");
        using var lease = new Lease(fd);
        fixed (byte* p = argument)
            if (Sys.Ioctl(lease.Fd, request, p, (nuint)argument.Length) < 0)
                throw InteropException.LastError($"{path}: ioctl {request}");
    }
}
