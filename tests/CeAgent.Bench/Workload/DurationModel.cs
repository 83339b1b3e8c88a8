namespace CeAgent.Bench.Workload;

/// <summary>
/// How long an application keeps a connection busy: most are short request/response exchanges, some
/// are page sessions kept alive, a few stream video, a very few last hours. A mixture of lognormals
/// spans seconds to hours with a mean near one minute. Conntrack's linger comes on top (Flow.EndMs).
/// </summary>
public static class DurationModel
{
    private const int MaxActiveMs = 6 * 3_600_000;

    private static readonly (double Share, double MedianS, double Sigma)[] Components =
    [
        (0.700, 1.5, 1.0),     // API calls, images, DNS-like exchanges
        (0.240, 20, 1.2),      // page sessions under HTTP keep-alive
        (0.055, 240, 1.0),     // video, downloads
        (0.005, 3600, 0.7),    // calls, games, long downloads
    ];

    public static int ActiveMs(ref SplitMix rng)
    {
        double u = rng.NextDouble();
        foreach (var (share, median, sigma) in Components)
        {
            if (u < share)
                return Clamp(rng.LogNormal(median, sigma));
            u -= share;
        }
        return Clamp(rng.LogNormal(Components[^1].MedianS, Components[^1].Sigma));
    }

    private static int Clamp(double seconds) => (int)Math.Clamp(seconds * 1000, 50, MaxActiveMs);
}
