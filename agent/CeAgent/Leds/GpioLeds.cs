using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace CeAgent.Leds;

/// <summary>The ioctl boundary of the GPIO character device: the only part tests replace.</summary>
public interface IGpioIoctl
{
    int Open(string path);
    void Ioctl(int fd, uint request, byte[] buffer);
    void Close(int fd);
}

/// <summary>
/// LEDs on GPIO lines through the character device's v2 uAPI (the kernel's, not libgpiod's: libgpiod v1
/// and v2 are incompatible, and neither is needed). An LED is named "gpiochipN:LINE". A line is requested
/// once as an output; steady states set its value, blinking toggles it from one timer, since GPIO lines
/// have no kernel blink trigger.
/// </summary>
public sealed class GpioLeds : ILedBackend
{
    public const int RequestSize = 592;            // struct gpio_v2_line_request
    public const int ConsumerOffset = 256, FlagsOffset = 288, NumLinesOffset = 560, FdOffset = 588;
    public const ulong FlagOutput = 1 << 3;        // GPIO_V2_LINE_FLAG_OUTPUT
    public static readonly uint GetLineIoctl = Interop.IoctlNumbers.Iowr((char)0xB4, 0x07, RequestSize);
    public static readonly uint SetValuesIoctl = Interop.IoctlNumbers.Iowr((char)0xB4, 0x0F, 16);

    private readonly IGpioIoctl _io;
    private readonly string _dev;
    private readonly Dictionary<string, int> _lines = [];
    private readonly Dictionary<string, (LedPattern Pattern, long NextToggle, bool Lit)> _blinking = [];
    private readonly Timer _timer;
    private readonly object _gate = new();

    public GpioLeds(IGpioIoctl io, string dev = "/dev")
    {
        _io = io;
        _dev = dev;
        _timer = new Timer(_ => Tick(Environment.TickCount64), null, Timeout.Infinite, Timeout.Infinite);
    }

    public void Show(string led, LedPattern p)
    {
        lock (_gate)
        {
            int fd = Line(led);
            _blinking.Remove(led);
            Set(fd, p.On);
            if (p.Blinking)
            {
                _blinking[led] = (p, Environment.TickCount64 + p.BlinkOnMs, true);
                _timer.Change(50, 50);
            }
            else if (_blinking.Count == 0)
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }

    /// <summary>Toggles blinking lines that are due; public so tests drive time themselves.</summary>
    public void Tick(long nowMs)
    {
        lock (_gate)
            foreach (var (led, (p, next, lit)) in _blinking.ToList())
                if (nowMs >= next)
                {
                    Set(_lines[led], !lit);
                    _blinking[led] = (p, nowMs + (lit ? p.BlinkOffMs : p.BlinkOnMs), !lit);
                }
    }

    private int Line(string led)
    {
        if (_lines.TryGetValue(led, out int fd))
            return fd;
        int colon = led.LastIndexOf(':');
        if (colon <= 0 || !uint.TryParse(led[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out uint offset) || offset > 1023)
            throw new FormatException($"GPIO LED '{led}' is not gpiochipN:LINE");
        var req = new byte[RequestSize];
        BinaryPrimitives.WriteUInt32LittleEndian(req, offset);
        Encoding.ASCII.GetBytes("ce-agent", req.AsSpan(ConsumerOffset, 31));
        BinaryPrimitives.WriteUInt64LittleEndian(req.AsSpan(FlagsOffset), FlagOutput);
        BinaryPrimitives.WriteUInt32LittleEndian(req.AsSpan(NumLinesOffset), 1);
        int chip = _io.Open(Path.Combine(_dev, led[..colon]));
        try
        {
            _io.Ioctl(chip, GetLineIoctl, req);
        }
        finally
        {
            _io.Close(chip);
        }
        return _lines[led] = BinaryPrimitives.ReadInt32LittleEndian(req.AsSpan(FdOffset));
    }

    /// <summary>struct gpio_v2_line_values: bits, then mask; our requests hold one line, bit 0.</summary>
    private void Set(int fd, bool on)
    {
        var values = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(values, on ? 1UL : 0UL);
        BinaryPrimitives.WriteUInt64LittleEndian(values.AsSpan(8), 1UL);
        _io.Ioctl(fd, SetValuesIoctl, values);
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
            foreach (int fd in _lines.Values)
                _io.Close(fd);
    }
}

/// <summary>The real device: open(2), ioctl(2), close(2).</summary>
public sealed class GpioChardev : IGpioIoctl
{
    public int Open(string path)
    {
        int fd = Interop.TimeApi.Open(path, 2 /* O_RDWR */);
        return fd >= 0 ? fd : throw new IOException($"{path}: cannot open GPIO chip, errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    public unsafe void Ioctl(int fd, uint request, byte[] buffer)
    {
        fixed (byte* p = buffer)
            if (Interop.TimeApi.Ioctl(fd, request, p) < 0)
                throw new IOException($"GPIO ioctl 0x{request:x8}: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    public void Close(int fd) => Interop.TimeApi.Close(fd);
}
