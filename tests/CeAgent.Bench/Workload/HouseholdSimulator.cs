namespace CeAgent.Bench.Workload;

/// <summary>
/// One household's flows over the simulated span, with the public port its CE's NAT gives each one.
/// Arrivals are Poisson with the household's rate times the daily curve (piecewise constant per hour,
/// so restarting the exponential clock at each hour is exact). Port choice imitates Linux NAT with
/// random-fully inside the port set: a random start, then the first port whose tuple towards this
/// destination is free, so a port may carry flows to different destinations at once and is reused as
/// soon as its bindings are gone.
/// </summary>
public sealed class HouseholdSimulator
{
    private readonly WorkloadParams _p;
    private readonly DestinationCatalog _catalog;

    public HouseholdSimulator(WorkloadParams p, DestinationCatalog catalog)
    {
        _p = p;
        _catalog = catalog;
    }

    /// <summary>The household's daily rate multiplier (lognormal, mean 1 over households).</summary>
    public double RateMultiplier(int household)
    {
        var rng = new SplitMix(_p.Seed, 0xA000UL + (ulong)household);
        double sigma = _p.HouseholdRateSigma;
        return rng.LogNormal(1.0, sigma) * Math.Exp(-sigma * sigma / 2);
    }

    /// <param name="ports">The household's port set, in port-set order.</param>
    /// <param name="alwaysOn">Whether it holds one connection to the top CDN address all day.</param>
    /// <param name="exhausted">Flows that found no free tuple (the NAT would drop them).</param>
    public List<Flow> Simulate(int household, IReadOnlyList<int> ports, bool alwaysOn, out int exhausted)
    {
        var rng = new SplitMix(_p.Seed, (ulong)household);
        int[] personal = new int[_p.PersonalDestinations];
        for (int i = 0; i < personal.Length; i++)
            personal[i] = _catalog.Draw(ref rng);

        var nat = new NatPortTable(ports);
        var flows = new List<Flow>((int)(_p.MeanFlowsPerDay * _p.Hours / 24 * 1.5));
        exhausted = 0;
        if (alwaysOn)
        {
            DestKey push = _catalog.Key(0);
            int port = nat.Allocate(push, _p.SpanStartMs, _p.SpanEndMs, ref rng);
            flows.Add(new Flow(household, port, push, _p.SpanStartMs, _p.SpanEndMs, _p.SpanEndMs));
        }

        double perMs = _p.MeanFlowsPerDay * RateMultiplier(household) / 86_400_000.0;
        for (int hour = _p.StartHour; hour < _p.StartHour + _p.Hours; hour++)
        {
            double meanGapMs = 1.0 / (perMs * DailyCurve.Weight(hour % 24));
            double t = hour * 3_600_000.0;
            while ((t += rng.Exponential(meanGapMs)) < (hour + 1) * 3_600_000.0)
            {
                int index = rng.NextDouble() < _p.PersonalShare ? personal[rng.Next(personal.Length)] : _catalog.Draw(ref rng);
                DestKey dest = _catalog.Key(index);
                int start = (int)t;
                int activeEnd = Math.Min(start + DurationModel.ActiveMs(ref rng), _p.SpanEndMs);
                int end = Math.Min(activeEnd + (dest.Proto == DestKey.Tcp ? _p.TcpLingerMs : _p.UdpLingerMs), _p.SpanEndMs);
                int port = nat.Allocate(dest, start, end, ref rng);
                if (port < 0)
                    exhausted++;
                else
                    flows.Add(new Flow(household, port, dest, start, activeEnd, end));
            }
        }
        return flows;
    }
}
