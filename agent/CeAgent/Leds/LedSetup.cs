using CeAgent.Config;

namespace CeAgent.Leds;

public static class LedSetup
{
    /// <summary>The configured LED back end, or null for "none". A missing LED is logged, not fatal:
    /// the agent's job is the record, the LEDs only report on it.</summary>
    public static LedDriver? From(LedConfig c, Action<string, string> log)
    {
        ILedBackend? backend = c.Backend switch
        {
            "none" => null,
            "sysfs" => new BoardLeds(),
            "gpio" => new GpioLeds(),
            _ => throw new Config.ConfigException($"leds.backend: '{c.Backend}' is not none, sysfs or gpio"),
        };
        return backend is null ? null : new LedDriver(new Guarded(backend, log), c.Status, c.Fault);
    }

    /// <summary>Logs each distinct LED failure once: a broken LED would otherwise warn at every state change.</summary>
    private sealed class Guarded(ILedBackend inner, Action<string, string> log) : ILedBackend
    {
        private readonly HashSet<string> _told = [];

        public void Show(string led, LedPattern pattern)
        {
            try
            {
                inner.Show(led, pattern);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                if (_told.Add(e.Message))
                    log("warning", "LED: " + e.Message);
            }
        }

        public void Dispose() => inner.Dispose();
    }
}
