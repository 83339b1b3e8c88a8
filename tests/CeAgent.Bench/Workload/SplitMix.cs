namespace CeAgent.Bench.Workload;

/// <summary>
/// A tiny deterministic generator (SplitMix64). System.Random's seeded algorithm is an implementation
/// detail that may change between runtimes; the benchmark's numbers must be reproducible from the seed.
/// One instance per household keeps the parallel simulation deterministic whatever the scheduling.
/// </summary>
public struct SplitMix
{
    private ulong _state;

    public SplitMix(ulong seed, ulong stream) => _state = Mix(seed ^ Mix(stream + 0x9E3779B97F4A7C15UL));

    public ulong NextU64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (NextU64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n); the modulo bias is below 2^-40 for the n used here.</summary>
    public int Next(int n) => (int)(NextU64() % (ulong)n);

    /// <summary>Exponential with the given mean (inverse transform).</summary>
    public double Exponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    /// <summary>Standard normal (Box-Muller; one value per call is enough here).</summary>
    public double Normal()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public double LogNormal(double median, double sigma) => median * Math.Exp(sigma * Normal());

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
