using CeAgent.Service;

namespace CeAgent.Leds;

/// <summary>An LED's look: off, on, or blinking with the given on and off times.</summary>
public readonly record struct LedPattern(bool On, int BlinkOnMs = 0, int BlinkOffMs = 0)
{
    public static readonly LedPattern Off = new(false);
    public static readonly LedPattern Steady = new(true);
    public static LedPattern Blink(int onMs, int offMs) => new(true, onMs, offMs);
    public bool Blinking => On && BlinkOnMs > 0;
}

/// <summary>
/// The code a technician reads off two LEDs (docs/leds.md):
///
/// | state | status LED | fault LED |
/// |---|---|---|
/// | starting | short blips (100 ms every second) | off |
/// | running and publishing | steady | off |
/// | clock not synchronised | slow blink (1 s on, 1 s off) | off |
/// | broker unreachable, spooling | fast blink (200 ms on, 200 ms off) | off |
/// | port set near exhaustion (90%) or exhausted (a flow refused in the last minute) | steady | slow blink |
/// | fault | off | steady |
/// </summary>
public static class LedCode
{
    public static (LedPattern Status, LedPattern Fault) For(HealthState state) => state switch
    {
        HealthState.Starting => (LedPattern.Blink(100, 900), LedPattern.Off),
        HealthState.Running => (LedPattern.Steady, LedPattern.Off),
        HealthState.ClockUnsynchronized => (LedPattern.Blink(1000, 1000), LedPattern.Off),
        HealthState.Spooling => (LedPattern.Blink(200, 200), LedPattern.Off),
        HealthState.PortsNearExhaustion => (LedPattern.Steady, LedPattern.Blink(1000, 1000)),
        _ => (LedPattern.Off, LedPattern.Steady),
    };
}

/// <summary>Where patterns go: kernel LED class devices, GPIO lines, or nowhere.</summary>
public interface ILedBackend : IDisposable
{
    void Show(string led, LedPattern pattern);
}

/// <summary>Drives the configured LEDs from health changes; writes only when the state changes.</summary>
public sealed class LedDriver(ILedBackend backend, string? statusLed, string? faultLed) : IDisposable
{
    private HealthState? _shown;

    public void Show(HealthState state)
    {
        if (_shown == state)
            return;
        _shown = state;
        var (status, fault) = LedCode.For(state);
        if (statusLed is not null)
            backend.Show(statusLed, status);
        if (faultLed is not null)
            backend.Show(faultLed, fault);
    }

    public void Dispose() => backend.Dispose();
}
