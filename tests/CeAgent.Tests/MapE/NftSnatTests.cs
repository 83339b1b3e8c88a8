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
    [RootFact("nft", "conntrack", "socat", "ping")]
    public void Tcp_udp_and_icmp_use_the_whole_port_set()
    {
        using var router = new NatRouter();
        PortSet set = PortSet.For(4, 8, NatRouter.Psid);
        router.ListenUpstream(8080);
        // A few entries may be gone by the time the table is read (closed TCP, reused ports): counts allow for it.
        // Each bash redirection opens a new socket, so a new source port and a new conntrack entry.
        router.Lan.Exec("for i in $(seq 100); do echo x > /dev/udp/198.51.100.10/9; done");
        router.Lan.Exec("for i in $(seq 60); do exec 3<>/dev/tcp/198.51.100.10/8080 || exit 1; exec 3>&-; done");
        router.Lan.Exec("for i in $(seq 20); do ping -c 1 -W 2 198.51.100.10 >/dev/null || exit 1; done");
        NetNs ce = router.Ce;

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
