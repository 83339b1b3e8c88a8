namespace CeAgent.Bench.Workload;

/// <summary>
/// The NAT's view of one port set: which (port, destination) tuples are bound until when. Linux keeps a
/// reply tuple unique, not a port, so two flows may share a public port when their destinations differ.
/// </summary>
internal sealed class NatPortTable
{
    private readonly IReadOnlyList<int> _ports;
    private readonly List<(DestKey Dest, int EndMs)>[] _bound;

    public NatPortTable(IReadOnlyList<int> ports)
    {
        _ports = ports;
        _bound = new List<(DestKey, int)>[ports.Count];
        for (int i = 0; i < _bound.Length; i++)
            _bound[i] = [];
    }

    /// <returns>The public port, or -1 when every port of the set is bound to this destination.</returns>
    public int Allocate(DestKey dest, int startMs, int endMs, ref SplitMix rng)
    {
        int first = rng.Next(_ports.Count);
        for (int k = 0; k < _ports.Count; k++)
        {
            int i = (first + k) % _ports.Count;
            var bound = _bound[i];
            bound.RemoveAll(b => b.EndMs <= startMs);
            if (bound.Exists(b => b.Dest == dest))
                continue;
            bound.Add((dest, endMs));
            return _ports[i];
        }
        return -1;
    }
}
