namespace CeAgent.Shared.Time;

/// <summary>Where the agent's idea of UTC comes from. The numbers are the summary format's codes.</summary>
public enum ClockSource
{
    None = 0,
    Ntp = 1,
    Ptp = 2,
    Pps = 3,
    Rtc = 4,
}

/// <summary>How far a reported time can be trusted: its source, whether it is synchronised, and a bound
/// on its error in milliseconds (uint.MaxValue: unknown).</summary>
public readonly record struct ClockQuality(ClockSource Source, bool Synchronized, uint MaxErrorMs)
{
    public static ClockQuality Unknown => new(ClockSource.None, false, uint.MaxValue);

    /// <summary>The less trustworthy of two qualities: what a span of time covering both can claim.</summary>
    public static ClockQuality Worse(ClockQuality a, ClockQuality b)
    {
        if (a.Synchronized != b.Synchronized)
            return a.Synchronized ? b : a;
        return a.MaxErrorMs >= b.MaxErrorMs ? a : b;
    }
}
