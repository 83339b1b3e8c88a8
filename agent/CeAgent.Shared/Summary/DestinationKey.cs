using System.Buffers.Binary;
using System.Net;

namespace CeAgent.Shared.Summary;

/// <summary>
/// A <see cref="FlowKey"/> in eight bytes, for the agent's per-flow and per-destination tables: the IPv4
/// address as a host-order integer instead of an <see cref="IPAddress"/> object, so that tens of thousands
/// of open flows cost no object each (docs/benchmarks.md, "Footprint"). The CE NATs IPv4 only.
/// </summary>
public readonly record struct DestinationKey(uint Address, ushort Port, Proto Proto)
{
    public FlowKey ToFlowKey() => new(ToAddress(Address), Port, Proto);

    /// <summary>The IPv4 address of a host-order integer.</summary>
    public static IPAddress ToAddress(uint address)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, address);
        return new IPAddress(b);
    }

    /// <exception cref="ArgumentException">The key's address is not IPv4.</exception>
    public static DestinationKey From(FlowKey key)
    {
        Span<byte> b = stackalloc byte[4];
        if (key.Destination.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || !key.Destination.TryWriteBytes(b, out _))
            throw new ArgumentException($"destination {key.Destination}: the CE tracks IPv4 destinations only", nameof(key));
        return new(BinaryPrimitives.ReadUInt32BigEndian(b), checked((ushort)key.Port), key.Proto);
    }

    public static implicit operator DestinationKey(FlowKey key) => From(key);
}
