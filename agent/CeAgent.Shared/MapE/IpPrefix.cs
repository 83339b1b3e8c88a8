using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace CeAgent.Shared.MapE;

/// <summary>An IPv6 prefix held as a 128-bit integer, so MAP-E's bit slicing is plain shifts and masks.</summary>
public readonly record struct Ipv6Prefix(UInt128 Bits, int Length)
{
    public static Ipv6Prefix Parse(string text, string field)
    {
        var (address, length) = IpText.Split(text, field, AddressFamily.InterNetworkV6, 128);
        UInt128 bits = BinaryPrimitives.ReadUInt128BigEndian(address.GetAddressBytes());
        if ((bits & ~Mask(length)) != 0)
            throw new MapeException(field, $"'{text}' has bits set after /{length} (did you mean {Format(bits & Mask(length))}/{length}?)");
        return new Ipv6Prefix(bits, length);
    }

    public static UInt128 Mask(int length) => length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);

    public bool Contains(Ipv6Prefix other) =>
        other.Length >= Length && (other.Bits & Mask(Length)) == Bits;

    public static IPAddress ToAddress(UInt128 bits)
    {
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(b, bits);
        return new IPAddress(b);
    }

    private static string Format(UInt128 bits) => ToAddress(bits).ToString();

    public override string ToString() => $"{Format(Bits)}/{Length}";
}

/// <summary>An IPv4 prefix held as a 32-bit integer.</summary>
public readonly record struct Ipv4Prefix(uint Bits, int Length)
{
    public static Ipv4Prefix Parse(string text, string field)
    {
        var (address, length) = IpText.Split(text, field, AddressFamily.InterNetwork, 32);
        uint bits = BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());
        if ((bits & ~Mask(length)) != 0)
            throw new MapeException(field, $"'{text}' has bits set after /{length} (did you mean {ToAddress(bits & Mask(length))}/{length}?)");
        return new Ipv4Prefix(bits, length);
    }

    public static uint Mask(int length) => length == 0 ? 0u : uint.MaxValue << (32 - length);

    public bool Contains(uint address) => (address & Mask(Length)) == Bits;

    public static IPAddress ToAddress(uint bits)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, bits);
        return new IPAddress(b);
    }

    public override string ToString() => $"{ToAddress(Bits)}/{Length}";
}

/// <summary>Text forms shared by both prefix kinds and by plain addresses.</summary>
public static class IpText
{
    internal static (IPAddress Address, int Length) Split(string text, string field, AddressFamily family, int maxLength)
    {
        string kind = family == AddressFamily.InterNetwork ? "IPv4" : "IPv6";
        int slash = text.IndexOf('/');
        if (slash < 0)
            throw new MapeException(field, $"'{text}' is not an {kind} prefix: expected ADDRESS/LENGTH");
        IPAddress address = ParseAddress(text[..slash], field, family);
        string len = text[(slash + 1)..];
        if (!int.TryParse(len, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int length)
            || length > maxLength)
            throw new MapeException(field, $"'{text}': prefix length '{len}' is not a number from 0 to {maxLength}");
        return (address, length);
    }

    /// <summary>Parses an address of the given family; rejects scope ids and the other family.</summary>
    public static IPAddress ParseAddress(string text, string field, AddressFamily family)
    {
        string kind = family == AddressFamily.InterNetwork ? "IPv4" : "IPv6";
        // IPAddress.TryParse accepts "1" or "1.2" as IPv4 shorthands; an operator typing those made a mistake.
        bool dotted = family != AddressFamily.InterNetwork || text.Count(c => c == '.') == 3;
        if (!dotted || text.Contains('%') || !IPAddress.TryParse(text, out IPAddress? a) || a.AddressFamily != family)
            throw new MapeException(field, $"'{text}' is not an {kind} address");
        return a;
    }

    public static uint ParseIpv4(string text, string field) =>
        BinaryPrimitives.ReadUInt32BigEndian(ParseAddress(text, field, AddressFamily.InterNetwork).GetAddressBytes());
}
