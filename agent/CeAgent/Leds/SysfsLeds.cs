using System.Globalization;

namespace CeAgent.Leds;

/// <summary>
/// Kernel LED class devices (/sys/class/leds/NAME): steady states set the trigger to "none" and the
/// brightness; blinking hands the LED to the kernel's "timer" trigger with delay_on/delay_off, so the
/// agent spends no CPU on it. The root is a parameter so tests use a directory shaped like sysfs.
/// </summary>
public sealed class SysfsLeds(string root = "/sys/class/leds") : ILedBackend
{
    public void Show(string led, LedPattern p)
    {
        string dir = Path.Combine(root, led);
        if (!Directory.Exists(dir))
            throw new IOException($"LED '{led}' not found under {root} (see leds.status / leds.fault in the configuration)");
        if (p.Blinking)
        {
            Write(dir, "trigger", "timer");
            // The kernel creates delay_on/delay_off when the timer trigger is set.
            Write(dir, "delay_on", p.BlinkOnMs.ToString(CultureInfo.InvariantCulture));
            Write(dir, "delay_off", p.BlinkOffMs.ToString(CultureInfo.InvariantCulture));
            return;
        }
        Write(dir, "trigger", "none");
        Write(dir, "brightness", p.On ? MaxBrightness(dir) : "0");
    }

    private static string MaxBrightness(string dir)
    {
        string path = Path.Combine(dir, "max_brightness");
        return File.Exists(path) ? File.ReadAllText(path).Trim() : "1";
    }

    private static void Write(string dir, string file, string value) => File.WriteAllText(Path.Combine(dir, file), value);

    public void Dispose()
    {
    }
}
