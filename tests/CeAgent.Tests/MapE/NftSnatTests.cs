using System.Text.RegularExpressions;
using CeAgent.Shared.MapE;
using CeAgent.TestKit;

namespace CeAgent.Tests.MapE;

/// <summary>
/// The rendered SNAT rule against the real kernel: a LAN host behind a CE namespace that applies
/// `ce-agent mape --nft`, and an upstream host. More flows than one range holds must all land inside the
/// port set and spread over several ranges (fw4's one-rule-per-range leaves all but the first unused).
/// </summary>
public sealed partial class NftSnatTests
{
    private static readonly string[] V6plusRule =
        ["--rule6", "2001:db8::/40", "--rule4", "192.0.2.0/24", "--ea-len", "16", "--psid-offset", "4", "--prefix", "2001:db8:12:3400::/56"];

    [RootFact("nft", "conntrack", "socat", "ping")]
    public void Tcp_udp_and_icmp_use_the_whole_port_set()
    {
        using var lan = new NetNs("lan");
        using var ce = new NetNs("ce");
        using var up = new NetNs("up");
        NetNs.Link(lan, "eth0", "192.168.1.2/24", ce, "lan0", "192.168.1.1/24");
        NetNs.Link(ce, "wan", "198.51.100.1/24", up, "eth0", "198.51.100.10/24");
        lan.Exec("ip route add default via 192.168.1.1");
        up.Exec("ip route add 192.0.2.18/32 via 198.51.100.1");
        ce.Exec("sysctl -qw net.ipv4.ip_forward=1");

        string rules = Programs.Run("ce-agent", ["mape", .. V6plusRule, "--nft", "--wan", "wan"]).EnsureSuccess("mape --nft").Stdout;
        Proc.Run("ip", ["netns", "exec", ce.Name, "nft", "-f", "-"], stdin: rules).EnsureSuccess("nft -f");
        PortSet set = PortSet.For(4, 8, 0x34);

        up.Exec("(timeout 60 socat TCP-LISTEN:8080,fork,reuseaddr SYSTEM:'sleep 30' >/dev/null 2>&1 &)");
        up.Exec("for i in $(seq 50); do ss -ltn | grep -q :8080 && exit 0; sleep 0.1; done; exit 1");
        // A few entries may be gone by the time the table is read (closed TCP, reused ports): counts allow for it.
        // Each bash redirection opens a new socket, so a new source port and a new conntrack entry.
        lan.Exec("for i in $(seq 100); do echo x > /dev/udp/198.51.100.10/9; done");
        lan.Exec("for i in $(seq 60); do exec 3<>/dev/tcp/198.51.100.10/8080 || exit 1; exec 3>&-; done");
        lan.Exec("for i in $(seq 20); do ping -c 1 -W 2 198.51.100.10 >/dev/null || exit 1; done");

        var ports = new Dictionary<string, List<int>>();
        foreach (string proto in new[] { "udp", "tcp", "icmp" })
        {
            string table = ce.Exec($"conntrack -L -p {proto} 2>/dev/null").Stdout;
            ports[proto] = [.. table.Split('\n').Where(l => l.Contains("dst=192.0.2.18")).Select(TranslatedPort)];
        }
        Assert.True(ports["udp"].Count >= 90, $"udp flows seen: {ports["udp"].Count}");
        Assert.True(ports["tcp"].Count >= 50, $"tcp flows seen: {ports["tcp"].Count}");
        Assert.True(ports["icmp"].Count >= 18, $"icmp flows seen: {ports["icmp"].Count}");
        foreach (var (proto, list) in ports)
        {
            Assert.All(list, p => Assert.True(set.Contains(p), $"{proto} port {p} is outside the port set"));
            int ranges = list.Select(p => set.IndexOf(p) / 16).Distinct().Count();
            Assert.True(ranges > 1, $"{proto}: all {list.Count} flows used one range");
        }
        Assert.True(ports["udp"].Select(p => set.IndexOf(p) / 16).Distinct().Count() == 15, "100 UDP flows should touch all 15 ranges");
    }

    /// <summary>The reply tuple's destination port (or ICMP id) is the public port the NAT chose.</summary>
    private static int TranslatedPort(string line)
    {
        MatchCollection m = PortOrId().Matches(line);
        Assert.True(m.Count >= 2, $"cannot read the reply tuple of: {line}");
        return int.Parse(m[^1].Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\b(dport|id)=(\d+)")]
    private static partial Regex PortOrId();
}
