using CeAgent.Shared.Summary;

namespace CeAgent.Aggregation;

/// <summary>One protocol's ports during the current window: which were used, how many at once at most,
/// and how many flows began. Several flows can share a public port (different destinations), so each port
/// keeps a count of the flows holding it.</summary>
internal sealed class ProtoState(Proto proto, int ports)
{
    private readonly int[] _holders = new int[ports];
    private readonly byte[] _bitmap = new byte[(ports + 7) / 8];
    private int _inUse, _peak;
    private uint _newFlows;

    public bool Touched => _peak > 0;

    /// <summary>Ports held by at least one open flow now.</summary>
    public int InUse => _inUse;

    public void Open(int index)
    {
        _newFlows++;
        if (_holders[index]++ == 0)
            _inUse++;
        _peak = Math.Max(_peak, _inUse);
        _bitmap[index >> 3] |= (byte)(0x80 >> (index & 7));
    }

    public void Close(int index)
    {
        if (_holders[index] > 0 && --_holders[index] == 0)
            _inUse--;
    }

    public ProtoUsage Usage() => new(proto, (byte[])_bitmap.Clone(), _newFlows, (uint)_peak);

    /// <summary>A new window begins with the ports still held.</summary>
    public void StartWindow()
    {
        Array.Clear(_bitmap);
        _newFlows = 0;
        _peak = _inUse;
        for (int i = 0; i < _holders.Length; i++)
            if (_holders[i] > 0)
                _bitmap[i >> 3] |= (byte)(0x80 >> (i & 7));
    }
}
