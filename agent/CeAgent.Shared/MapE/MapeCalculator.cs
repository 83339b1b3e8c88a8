using System.Net;

namespace CeAgent.Shared.MapE;

/// <summary>How the CE's MAP IPv6 address encodes the IPv4 address and PSID in its interface identifier.</summary>
public enum InterfaceIdFormat
{
    /// <summary>RFC 7597 section 6: 16 zero bits, the IPv4 address, the PSID right-aligned in 16 bits.</summary>
    Rfc,
    /// <summary>draft-ietf-softwire-map-03, still used by Japanese services (OpenWrt's "legacymap"): 8 zero
    /// bits, the IPv4 address, the 16-bit PSID, 8 zero bits.</summary>
    Draft,
}

/// <summary>What a CE derives from the rule and its delegated prefix.</summary>
public sealed record MapeParams(
    MapRule Rule,
    Ipv6Prefix EndUserPrefix,
    IPAddress Ipv4,
    int Ipv4PrefixLength,
    int Psid,
    PortSet Ports,
    IPAddress CeAddress,
    InterfaceIdFormat IidFormat)
{
    public int PsidLength => Rule.PsidLength;
    public int PsidOffset => Rule.PsidOffset;
    public int EaLength => Rule.EaLength;
    public uint Ipv4Bits => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(Ipv4.GetAddressBytes());
}

/// <summary>The ISP's inverse: who held an IPv4 address and port.</summary>
public sealed record MapeOwner(int Psid, int PsidLength, Ipv6Prefix Prefix);

/// <summary>RFC 7597 section 5 in both directions. Pure: no I/O, no clocks.</summary>
public static class MapeCalculator
{
    public static MapeParams Derive(MapRule rule, Ipv6Prefix delegated, InterfaceIdFormat iid = InterfaceIdFormat.Rfc)
    {
        int common = Math.Min(delegated.Length, rule.Rule6.Length);
        if ((delegated.Bits & Ipv6Prefix.Mask(common)) != (rule.Rule6.Bits & Ipv6Prefix.Mask(common)))
            throw new MapeException("prefix", $"{delegated} is outside the rule IPv6 prefix {rule.Rule6}");
        if (delegated.Length < rule.EndUserPrefixLength)
            throw new MapeException("prefix", $"{delegated} is shorter than the rule's /{rule.Rule6.Length} plus {rule.EaLength} EA bits (/{rule.EndUserPrefixLength}): the EA bits are not all delegated");
        if (delegated.Length > 64)
            throw new MapeException("prefix", $"{delegated} is longer than /64; a delegated prefix leaves room for a 64-bit interface identifier");

        ulong ea = rule.EaLength == 0 ? 0 : (ulong)(delegated.Bits >> (128 - rule.EndUserPrefixLength)) & ((1UL << rule.EaLength) - 1);
        int psid = (int)(ea & ((1UL << rule.PsidLength) - 1));
        uint suffix = (uint)(ea >> rule.PsidLength);
        uint ipv4 = rule.Rule4.Bits | (rule.Ipv4SuffixBits == 0 ? 0 : suffix << (32 - rule.Ipv4PrefixLength));
        var endUser = new Ipv6Prefix(delegated.Bits & Ipv6Prefix.Mask(rule.EndUserPrefixLength), rule.EndUserPrefixLength);
        UInt128 address = endUser.Bits | InterfaceId(iid, ipv4, psid);
        return new MapeParams(rule, endUser, Ipv4Prefix.ToAddress(ipv4), rule.Ipv4PrefixLength, psid,
            PortSet.For(rule.PsidOffset, rule.PsidLength, psid), Ipv6Prefix.ToAddress(address), iid);
    }

    /// <summary>The low 64 bits of the CE's MAP address (the subnet id is 0, as RFC 7597 section 5.2 asks).</summary>
    public static UInt128 InterfaceId(InterfaceIdFormat format, uint ipv4, int psid) => format switch
    {
        InterfaceIdFormat.Rfc => ((UInt128)ipv4 << 16) | (uint)psid,
        InterfaceIdFormat.Draft => ((UInt128)ipv4 << 24) | ((UInt128)(uint)psid << 8),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>(IPv4, port) -> PSID -> the CE's end-user prefix. Ports outside every set are refused.</summary>
    public static MapeOwner Owner(MapRule rule, uint ipv4, int port)
    {
        if (!rule.Rule4.Contains(ipv4))
            throw new MapeException("ip", $"{Ipv4Prefix.ToAddress(ipv4)} is outside the rule IPv4 prefix {rule.Rule4}");
        if (port is < 0 or > 65535)
            throw new MapeException("port", $"{port} is outside 0..65535");
        int psid = PortSet.PsidOf(rule.PsidOffset, rule.PsidLength, port);
        if (psid < 0)
            throw new MapeException("port", $"{port} belongs to no CE's port set: ports below {1 << (16 - rule.PsidOffset)} are excluded with PSID offset {rule.PsidOffset}");
        uint suffix = rule.Ipv4SuffixBits == 0 ? 0 : (ipv4 & ~Ipv4Prefix.Mask(rule.Rule4.Length)) >> (32 - rule.Ipv4PrefixLength);
        UInt128 ea = ((UInt128)suffix << rule.PsidLength) | (uint)psid;
        UInt128 bits = rule.Rule6.Bits | (rule.EaLength == 0 ? UInt128.Zero : ea << (128 - rule.EndUserPrefixLength));
        return new MapeOwner(psid, rule.PsidLength, new Ipv6Prefix(bits, rule.EndUserPrefixLength));
    }
}
