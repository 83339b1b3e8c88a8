using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Globalization;

namespace CeAgent.Leds;

/// <summary>
/// LEDs on GPIO lines (a Raspberry Pi's header) through System.Device.Gpio. An LED is named "gpiochipN:LINE";
/// each chip gets one controller over the driver <c>driverFor(N)</c> returns (libgpiod by default: the tests
/// hand in a GpioDriver of their own). A line is opened once as an output; steady states write its value,
/// blinking toggles it from one timer, since GPIO lines have no kernel blink trigger.
/// </summary>
public sealed class GpioLeds : ILedBackend
{
    private readonly Func<int, GpioDriver> _driverFor;
    private readonly Dictionary<int, GpioController> _chips = [];
    private readonly Dictionary<string, (GpioController Chip, int Line)> _lines = [];
    private readonly Dictionary<string, (LedPattern Pattern, long NextToggle, bool Lit)> _blinking = [];
    private readonly Timer _timer;
    private readonly object _gate = new();

    public GpioLeds(Func<int, GpioDriver>? driverFor = null)
    {
        _driverFor = driverFor ?? Libgpiod;
        _timer = new Timer(_ => Tick(Environment.TickCount64), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>libgpiod 2.x (libgpiod.so.3: OpenWrt, Debian 13) where installed, else 1.x (libgpiod.so.2:
    /// Debian 12, Raspberry Pi OS 12). Neither present is an IOException naming the package.</summary>
    public static GpioDriver Libgpiod(int chip)
    {
        try
        {
            return new LibGpiodV2Driver(chip);
        }
        catch (Exception e) when (NotInstalled(e))
        {
        }
        try
        {
            return new LibGpiodDriver(chip);
        }
        catch (Exception e) when (NotInstalled(e))
        {
            throw new IOException($"gpiochip{chip}: libgpiod is not installed (Debian: libgpiod2 or libgpiod3; OpenWrt: libgpiod)", e);
        }
    }

    // GpioDriver.TryCreate catches only the bare exceptions; the drivers wrap a missing library in GpiodException.
    private static bool NotInstalled(Exception e) =>
        e is DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException
        || e.InnerException is DllNotFoundException or EntryPointNotFoundException;

    public void Show(string led, LedPattern p)
    {
        lock (_gate)
        {
            var (chip, line) = Line(led);
            _blinking.Remove(led);
            chip.Write(line, p.On ? PinValue.High : PinValue.Low);
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
                    var (chip, line) = _lines[led];
                    chip.Write(line, lit ? PinValue.Low : PinValue.High);
                    _blinking[led] = (p, nowMs + (lit ? p.BlinkOffMs : p.BlinkOnMs), !lit);
                }
    }

    /// <summary>"gpiochipN:LINE" -> (N, LINE), or null when the name is not of that form.</summary>
    public static (int Chip, int Line)? Parse(string led)
    {
        const string prefix = "gpiochip";
        int colon = led.IndexOf(':');
        return colon > prefix.Length && led.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(led.AsSpan(prefix.Length, colon - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int chip)
            && int.TryParse(led.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int line) && line <= 1023
            ? (chip, line) : null;
    }

    private (GpioController Chip, int Line) Line(string led)
    {
        if (_lines.TryGetValue(led, out var held))
            return held;
        var (chipNo, line) = Parse(led) ?? throw new FormatException($"GPIO LED '{led}' is not gpiochipN:LINE");
        try
        {
            if (!_chips.TryGetValue(chipNo, out GpioController? chip))
                _chips[chipNo] = chip = new GpioController(_driverFor(chipNo));
            chip.OpenPin(line, PinMode.Output);
            return _lines[led] = (chip, line);
        }
        catch (Exception e) when (e is not FormatException)
        {
            // The library reports a missing chip or a line another program holds as GpiodException (its detail
            // in the inner exception), InvalidOperationException or ArgumentException: for the agent each
            // means this LED is unusable.
            string detail = e.InnerException is { } inner && e is GpiodException ? $"{e.Message}: {inner.Message}" : e.Message;
            throw new IOException($"GPIO LED '{led}': {detail}", e);
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
            foreach (GpioController chip in _chips.Values)
                chip.Dispose(); // closes its lines and its driver
    }
}
