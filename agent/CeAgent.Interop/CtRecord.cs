using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>struct ce_ct_record from native/include/ceagent.h: 88 bytes, the same on every ABI.</summary>
[StructLayout(LayoutKind.Sequential, Size = 88)]
public struct CtRecord
{
    public ulong StartNs;
    public ulong StopNs;
    public AddressBytes OrigSrc;
    public AddressBytes OrigDst;
    public AddressBytes NatSrc;
    public uint Id;
    public uint Mark;
    public byte Kind;
    public byte Family;
    public byte L4Proto;
    public byte Flags;
    public ushort Zone;
    public ushort OrigSrcPort;
    public ushort OrigDstPort;
    public ushort NatSrcPort;
    public uint Reserved;

    public const byte KindNew = 1, KindDestroy = 2, KindDump = 3;
    public const byte FlagTimestamp = 1, FlagSnat = 2;

    /// <summary>An IPv4 address field as a host-order integer.</summary>
    public static uint Ipv4(in AddressBytes field) => BinaryPrimitives.ReadUInt32BigEndian(field);
}
