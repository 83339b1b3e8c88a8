namespace CeAgent.Bench.Workload;

/// <summary>
/// Every knob of the simulated day, with the value the report states. Defaults are the benchmark's
/// workload; tests shrink them. Sources for the values are given where one exists.
/// </summary>
public sealed record WorkloadParams
{
    /// <summary>v6plus: PSID offset 4, PSID length 8 -> 256 households, 240 ports each.</summary>
    public int PsidOffset { get; init; } = 4;
    public int PsidLength { get; init; } = 8;
    public int Households => 1 << PsidLength;

    /// <summary>RFC 7422 section 1: about 33,000 connections a subscriber a day.</summary>
    public double MeanFlowsPerDay { get; init; } = 33_000;
    /// <summary>Household activity differs a lot (lognormal spread of the daily rate).</summary>
    public double HouseholdRateSigma { get; init; } = 0.6;

    /// <summary>The simulated span inside the day (quick mode runs the evening peak only).</summary>
    public int StartHour { get; init; }
    public int Hours { get; init; } = 24;

    /// <summary>A few CDN edge addresses carry a large share of all flows.</summary>
    public int CdnAddresses { get; init; } = 16;
    public double CdnShare { get; init; } = 0.25;
    /// <summary>The long tail: Zipf-Mandelbrot 1/(rank+offset)^s over this many destinations.</summary>
    public int TailDestinations { get; init; } = 400_000;
    public double TailExponent { get; init; } = 1.0;
    public double TailOffset { get; init; } = 20;
    /// <summary>Households revisit their own favourite sites: this share of flows go to a personal list.</summary>
    public double PersonalShare { get; init; } = 0.4;
    public int PersonalDestinations { get; init; } = 300;

    /// <summary>Households holding one connection open all day to the most popular CDN address.</summary>
    public int AlwaysOnHouseholds { get; init; } = 8;

    /// <summary>Linux conntrack defaults: TCP TIME_WAIT 120 s, UDP (unreplied/single) 30 s.</summary>
    public int TcpLingerMs { get; init; } = 120_000;
    public int UdpLingerMs { get; init; } = 30_000;

    public ulong Seed { get; init; } = 20261125;

    public int SpanStartMs => StartHour * 3_600_000;

    /// <summary>What to multiply the span's counts by to estimate a whole day: the span's share of the
    /// daily curve, so a peak-hours quick run does not overstate the day.</summary>
    public double DayScale => 24.0 / Enumerable.Range(StartHour, Hours).Sum(h => DailyCurve.Weight(h % 24));
    public int SpanEndMs => (StartHour + Hours) * 3_600_000;
}
