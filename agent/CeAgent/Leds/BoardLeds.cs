using System.Globalization;
using Iot.Device.BoardLed;

namespace CeAgent.Leds;

/// <summary>
/// Kernel LED class devices (/sys/class/leds/NAME: a router's front panel, a Pi's ACT and PWR) through
/// Iot.Device.Bindings' BoardLed. Steady states set the trigger to "none" and the brightness; blinking hands
/// the LED to the kernel's "timer" trigger, so the agent spends no CPU on it. BoardLed has no property for
/// the timer's delay_on/delay_off (the kernel creates them when the trigger is set): those two are written
/// here, beside BoardLed's own files. BoardLed's root is fixed at /sys/class/leds; tests mount a
/// sysfs-shaped tree there in a private mount namespace.
/// </summary>
public sealed class BoardLeds : ILedBackend
{
    public const string Root = "/sys/class/leds";
    private readonly Dictionary<string, BoardLed> _leds = [];

    public void Show(string led, LedPattern p)
    {
        BoardLed b = Open(led);
        try
        {
            if (p.Blinking)
            {
                b.Trigger = "timer";
                Write(led, "delay_on", p.BlinkOnMs);
                Write(led, "delay_off", p.BlinkOffMs);
                return;
            }
            b.Trigger = "none";
            b.Brightness = p.On ? b.MaxBrightness : 0;
        }
        catch (Exception e) when (e is not IOException)
        {
            // BoardLed throws a bare Exception for a trigger the kernel lacks (ledtrig-timer not loaded) and a
            // FormatException for unreadable brightness: both mean this LED cannot show the pattern.
            throw new IOException($"LED '{led}': {e.Message}", e);
        }
    }

    private BoardLed Open(string led)
    {
        if (_leds.TryGetValue(led, out BoardLed? b))
            return b;
        // A name with a slash would leave /sys/class/leds.
        if (led.Length == 0 || led.Contains('/') || led is "." or ".." || !Directory.Exists(Path.Combine(Root, led)))
            throw new IOException($"LED '{led}' not found under {Root} (see leds.status / leds.fault in the configuration)");
        return _leds[led] = new BoardLed(led);
    }

    private static void Write(string led, string file, int value) =>
        File.WriteAllText(Path.Combine(Root, led, file), value.ToString(CultureInfo.InvariantCulture));

    public void Dispose()
    {
        foreach (BoardLed b in _leds.Values)
            b.Dispose();
        _leds.Clear();
    }
}
