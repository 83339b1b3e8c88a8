namespace CeAgent.Bench.Workload;

/// <summary>
/// Residential traffic over a day (UTC+9 local hours, as in Japan): a trough before dawn, a plateau by
/// day and the evening peak around 21:00-22:00, about 7x the trough. Normalised to a mean of 1.
/// </summary>
public static class DailyCurve
{
    private static readonly double[] Raw =
    [
        0.90, 0.60, 0.40, 0.30, 0.25, 0.25, 0.35, 0.60, 0.80, 0.85, 0.90, 0.95,
        1.00, 1.00, 0.95, 0.95, 1.00, 1.10, 1.30, 1.50, 1.70, 1.80, 1.70, 1.30,
    ];

    private static readonly double[] Normalised = Raw.Select(w => w / Raw.Average()).ToArray();

    /// <summary>Relative rate during local hour <paramref name="hour"/> (0-23).</summary>
    public static double Weight(int hour) => Normalised[hour];
}
