namespace CeAgent.Shared.MapE;

/// <summary>
/// A Basic Mapping Rule (RFC 7597 section 5, RFC 7598's S46 options), checked on construction so every
/// later calculation can trust it. The PSID length follows from the rule: the EA bits beyond the rule's
/// IPv4 suffix are the PSID. A PSID length given explicitly (RFC 7598's S46_PORTPARAMS) must agree.
/// </summary>
public sealed record MapRule
{
    public Ipv6Prefix Rule6 { get; }
    public Ipv4Prefix Rule4 { get; }
    public int EaLength { get; }
    public int PsidOffset { get; }
    public int PsidLength { get; }

    /// <summary>The IPv4 suffix bits the EA bits carry (p in RFC 7597): fewer than 32 - r means an IPv4 prefix.</summary>
    public int Ipv4SuffixBits => Math.Min(EaLength, 32 - Rule4.Length);
    /// <summary>The length of the IPv4 address or prefix a CE gets.</summary>
    public int Ipv4PrefixLength => Rule4.Length + Ipv4SuffixBits;
    /// <summary>The length of the end-user IPv6 prefix: rule prefix plus EA bits.</summary>
    public int EndUserPrefixLength => Rule6.Length + EaLength;
    public bool IsShared => PsidLength > 0;

    public MapRule(Ipv6Prefix rule6, Ipv4Prefix rule4, int eaLength, int psidOffset, int? psidLength = null)
    {
        if (eaLength is < 0 or > 48)
            throw new MapeException("ea-len", $"{eaLength} is outside 0..48 (RFC 7598)");
        if (psidOffset is < 0 or > 15)
            throw new MapeException("psid-offset", $"{psidOffset} is outside 0..15");
        if (rule6.Length + eaLength > 64)
            throw new MapeException("ea-len", $"rule IPv6 prefix /{rule6.Length} plus {eaLength} EA bits is /{rule6.Length + eaLength}, longer than /64, leaving no room for the interface identifier");
        int derived = Math.Max(0, eaLength - (32 - rule4.Length));
        if (psidLength is { } given && given != derived)
            throw new MapeException("psid-len", $"{given} is inconsistent with the rule: {eaLength} EA bits minus {32 - rule4.Length} IPv4 suffix bits (rule4 /{rule4.Length}) leave a PSID of {derived} bits");
        if (psidOffset + derived > 16)
            throw new MapeException("psid-offset", $"{psidOffset} plus a PSID of {derived} bits exceeds the 16 bits of a port");
        Rule6 = rule6;
        Rule4 = rule4;
        EaLength = eaLength;
        PsidOffset = psidOffset;
        PsidLength = derived;
    }

    public static MapRule Parse(string rule6, string rule4, int eaLength, int psidOffset, int? psidLength = null) =>
        new(Ipv6Prefix.Parse(rule6, "rule6"), Ipv4Prefix.Parse(rule4, "rule4"), eaLength, psidOffset, psidLength);

    public override string ToString() =>
        $"rule6 {Rule6} rule4 {Rule4} ea-len {EaLength} psid-offset {PsidOffset} psid-len {PsidLength}";
}
