using System.Globalization;
using System.Text;

namespace CeAgent.Shared.MapE;

/// <summary>
/// Renders the nftables ruleset that keeps the CE's NAPT inside its port set. OpenWrt's fw4 writes one
/// SNAT rule per range and only the first ever matches (openwrt/openwrt#11972), so a CE uses 16 of its
/// 240 ports. One rule that picks a range per new flow with numgen spreads flows over the whole set. The
/// ICMP echo identifier is NAT'd like a port, so ICMP stays inside the set too. The table is deleted and
/// re-created in one transaction, so applying the output with `nft -f` is idempotent.
/// </summary>
public static class NftRules
{
    public const string Table = "ce_agent_mape";

    public static string Render(MapeParams p, string wanInterface)
    {
        if (string.IsNullOrEmpty(wanInterface) || wanInterface.Length > 15 || wanInterface.Any(c => c is '"' or '\\' or ' ' or '\n'))
            throw new MapeException("wan", $"'{wanInterface}' is not an interface name");
        var ci = CultureInfo.InvariantCulture;
        string address = p.Ipv4PrefixLength == 32
            ? p.Ipv4.ToString()
            : $"{p.Ipv4}-{Ipv4Prefix.ToAddress(p.Ipv4Bits | ~Ipv4Prefix.Mask(p.Ipv4PrefixLength))}";
        IReadOnlyList<PortRange> ranges = p.Ports.Ranges;
        var sb = new StringBuilder();
        sb.Append(ci, $"# ce-agent: SNAT onto {p.Ipv4}/{p.Ipv4PrefixLength}, PSID {p.Psid} ({p.PsidLength} bits, offset {p.PsidOffset}): {p.Ports.Count} ports in {ranges.Count} ranges\n");
        sb.Append(ci, $"table ip {Table} {{}}\ndelete table ip {Table}\ntable ip {Table} {{\n");
        sb.Append("\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        sb.Append(ci, $"\t\toifname \"{wanInterface}\" meta l4proto {{ tcp, udp, icmp }} ");
        if (ranges.Count == 1)
        {
            sb.Append(ci, $"snat ip to {address}:{ranges[0].First}-{ranges[0].Last}\n");
        }
        else
        {
            sb.Append(ci, $"snat ip to numgen inc mod {ranges.Count} map {{ ");
            for (int i = 0; i < ranges.Count; i++)
                sb.Append(ci, $"{(i > 0 ? ", " : "")}{i} : {address} . {ranges[i].First}-{ranges[i].Last}");
            sb.Append(" }\n");
        }
        sb.Append("\t}\n}\n");
        return sb.ToString();
    }
}
