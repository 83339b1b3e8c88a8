using CeAgent.Leds;
using CeAgent.Service;
using CeAgent.TestKit;

namespace CeAgent.Tests.Leds;

/// <summary>
/// BoardLed (Iot.Device.Bindings) unchanged, against a sysfs-shaped tree mounted at /sys/class in a private
/// mount namespace: BoardLed has no other root. One difference from sysfs is modelled by hand: a plain file
/// reads back what was written, while the kernel's trigger file always lists every trigger with the active
/// one in brackets (BoardLed checks the list before it sets one).
/// </summary>
public sealed class BoardLedsTests
{
    private const string Leds = "/sys/class/leds";
    private static readonly string[] Triggers = ["none", "timer", "heartbeat"];

    private static void MakeLed(string name, string triggers = "[none] timer heartbeat", string max = "255\n")
    {
        string dir = Path.Combine(Leds, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "trigger"), triggers);
        File.WriteAllText(Path.Combine(dir, "brightness"), "0");
        File.WriteAllText(Path.Combine(dir, "max_brightness"), max);
    }

    // BoardLed holds its files with .NET's FileShare.None (an exclusive flock), so this process cannot open
    // them while it lives; a child process (forked on this thread: same mount namespace) reads and writes
    // them without locks, as the kernel's users do.
    private static string Read(string led, string file) => Proc.ShOk($"cat '{Leds}/{led}/{file}'").Stdout;

    /// <summary>What the kernel shows after a trigger was written: the list, the active one bracketed.
    /// Returns the active trigger.</summary>
    private static string KernelTrigger(string led)
    {
        string active = Read(led, "trigger").Trim();
        if (!active.Contains('['))
            Proc.ShOk($"printf '%s' '{string.Join(' ', Triggers.Select(t => t == active ? $"[{t}]" : t))}' > '{Leds}/{led}/trigger'");
        return active.Trim('[', ']').Split(' ')[0];
    }

    [RootFact] // a private mount namespace over /sys/class
    public void Steady_and_blinking_use_brightness_and_the_kernel_timer_trigger() => PrivateMount.Run("/sys/class", () =>
    {
        MakeLed("green:status");
        MakeLed("red:fault", max: "1\n");
        using var driver = new LedDriver(new BoardLeds(), "green:status", "red:fault");
        // (status trigger, status brightness or delays, fault trigger, fault brightness or delays)
        string Show(HealthState state)
        {
            driver.Show(state);
            string Look(string led) => KernelTrigger(led) is var t && t == "timer"
                ? $"timer {Read(led, "delay_on")}/{Read(led, "delay_off")}" : $"{t} {Read(led, "brightness")}";
            return $"{Look("green:status")}, {Look("red:fault")}";
        }
        Assert.Equal("none 255, none 0", Show(HealthState.Running));
        Assert.Equal("timer 200/200, none 0", Show(HealthState.Spooling));
        Assert.Equal("none 255, timer 1000/1000", Show(HealthState.PortsNearExhaustion));
        Assert.Equal("timer 100/900, none 0", Show(HealthState.Starting));
        Assert.Equal("none 0, none 1", Show(HealthState.Fault));
    });

    [RootFact] // a private mount namespace over /sys/class
    public void A_missing_led_or_a_name_leaving_the_led_folder_is_named() => PrivateMount.Run("/sys/class", () =>
    {
        MakeLed("green:status");
        using var leds = new BoardLeds();
        foreach (string bad in new[] { "blue:wan", "../green:status", "..", "" })
        {
            var e = Assert.Throws<IOException>(() => leds.Show(bad, LedPattern.Steady));
            Assert.Contains($"LED '{bad}' not found under /sys/class/leds", e.Message);
        }
    });

    [RootFact] // a private mount namespace over /sys/class
    public void A_kernel_without_the_timer_trigger_is_an_io_error_naming_the_led() => PrivateMount.Run("/sys/class", () =>
    {
        MakeLed("green:status", triggers: "[none] heartbeat");
        using var leds = new BoardLeds();
        var e = Assert.Throws<IOException>(() => leds.Show("green:status", LedPattern.Blink(200, 200)));
        Assert.Contains("LED 'green:status'", e.Message);
        Assert.Contains("timer", e.Message);
        // The steady patterns still work on that LED.
        leds.Show("green:status", LedPattern.Steady);
        Assert.Equal("255", Read("green:status", "brightness"));
    });

    [RootFact] // a private mount namespace over /sys/class
    public void Through_the_guard_a_broken_led_is_a_warning_and_the_other_still_shows() => PrivateMount.Run("/sys/class", () =>
    {
        MakeLed("red:fault");
        List<string> warnings = [];
        using LedDriver driver = LedSetup.From(new CeAgent.Config.LedConfig { Backend = "sysfs", Status = "green:status", Fault = "red:fault" },
            (level, m) => warnings.Add($"{level}: {m}"))!;
        driver.Show(HealthState.Fault);
        Assert.Equal("255", Read("red:fault", "brightness"));
        driver.Show(HealthState.Running);
        Assert.Equal("0", Read("red:fault", "brightness"));
        // Told once, not at every change of state.
        Assert.Equal(["warning: LED: LED 'green:status' not found under /sys/class/leds (see leds.status / leds.fault in the configuration)"], warnings);
    });
}
