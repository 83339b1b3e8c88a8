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
        if (family == AddressFamily.InterNetwork)
            return new IPAddress(StrictIpv4(text, field));
        if (text.Contains('%') || !IPAddress.TryParse(text, out IPAddress? a) || a.AddressFamily != family)
            throw new MapeException(field, $"'{text}' is not an {kind} address");
        return a;
    }

    /// <summary>Four decimal octets, no leading zeros. IPAddress.TryParse also takes "1.2" shorthands and reads
    /// "010" as octal (8): a zero-padded address from a provider's log would silently name another household.</summary>
    private static byte[] StrictIpv4(string text, string field)
    {
        string[] parts = text.Split('.');
        if (parts.Length != 4)
            throw new MapeException(field, $"'{text}' is not an IPv4 address: expected four decimal numbers separated by dots");
        var bytes = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            string p = parts[i];
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit))
                throw new MapeException(field, $"'{text}' is not an IPv4 address: '{p}' is not a decimal number 0-255");
            if (p.Length > 1 && p[0] == '0')
                throw new MapeException(field, $"'{text}': '{p}' has a leading zero, which some software reads as octal; write it without (e.g. '{int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)}')");
            int v = int.Parse(p, System.Globalization.CultureInfo.InvariantCulture);
            if (v > 255)
                throw new MapeException(field, $"'{text}' is not an IPv4 address: {v} is above 255");
            bytes[i] = (byte)v;
        }
        return bytes;
    }

    public static uint ParseIpv4(string text, string field) =>
        BinaryPrimitives.ReadUInt32BigEndian(ParseAddress(text, field, AddressFamily.InterNetwork).GetAddressBytes());
}
