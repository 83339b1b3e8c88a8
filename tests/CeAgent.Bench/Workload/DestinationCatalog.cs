namespace CeAgent.Bench.Workload;

/// <summary>
/// The destinations of the simulated Internet and how popular each is. Index 0 .. CdnAddresses-1 are
/// CDN edges (Zipf among themselves, together <see cref="WorkloadParams.CdnShare"/> of the draws); the
/// rest follow a Zipf-Mandelbrot long tail. Address, port and protocol of an index come from a hash, so
/// the catalogue needs no storage beyond one cumulative table.
/// </summary>
public sealed class DestinationCatalog
{
    private readonly double[] _cumulative;
    private readonly ulong _salt;
    private readonly HashSet<DestKey> _cdn;

    public int Count => _cumulative.Length;

    public DestinationCatalog(WorkloadParams p)
    {
        _salt = SplitMix.Mix(p.Seed ^ 0xD357UL);
        int n = p.CdnAddresses + p.TailDestinations;
        var weights = new double[n];
        double cdnTotal = 0, tailTotal = 0;
        for (int i = 0; i < p.CdnAddresses; i++)
            cdnTotal += weights[i] = 1.0 / (i + 1);
        for (int r = 0; r < p.TailDestinations; r++)
            tailTotal += weights[p.CdnAddresses + r] = 1.0 / Math.Pow(r + 1 + p.TailOffset, p.TailExponent);
        _cumulative = new double[n];
        double acc = 0;
        for (int i = 0; i < n; i++)
        {
            acc += i < p.CdnAddresses ? weights[i] / cdnTotal * p.CdnShare : weights[i] / tailTotal * (1 - p.CdnShare);
            _cumulative[i] = acc;
        }
        _cumulative[n - 1] = double.MaxValue; // rounding must never let a draw fall off the end
        _cdn = [.. Enumerable.Range(0, p.CdnAddresses).Select(Key)];
    }

    /// <summary>Whether a destination is one of the few CDN edges most flows go to.</summary>
    public bool IsCdn(DestKey key) => _cdn.Contains(key);

    /// <summary>Index of a destination drawn by popularity.</summary>
    public int Draw(ref SplitMix rng)
    {
        int i = Array.BinarySearch(_cumulative, rng.NextDouble());
        return i >= 0 ? i : ~i;
    }

    /// <summary>Share of all global draws that land on <paramref name="index"/>.</summary>
    public double Popularity(int index) =>
        Math.Min(_cumulative[index], 1.0) - (index == 0 ? 0 : _cumulative[index - 1]);

    /// <summary>
    /// The service at an index: CDN edges and most of the tail are HTTPS (TCP 443), some QUIC (UDP 443),
    /// a little plain HTTP and other services, as in residential traffic mixes.
    /// </summary>
    public DestKey Key(int index)
    {
        ulong h = SplitMix.Mix(_salt + (ulong)index);
        // Public unicast-looking space (1.0.0.0-223.255.255.255), distinct per index with overwhelming odds.
        uint ip = (uint)(0x01000000UL + (h >> 32) % (0xE0000000UL - 0x01000000UL));
        int kind = (int)(h % 100);
        return kind switch
        {
            < 80 => new DestKey(ip, 443, DestKey.Tcp),
            < 90 => new DestKey(ip, 443, DestKey.Udp),
            < 96 => new DestKey(ip, 80, DestKey.Tcp),
            < 98 => new DestKey(ip, 993, DestKey.Tcp),
            _ => new DestKey(ip, 123, DestKey.Udp),
        };
    }
}
