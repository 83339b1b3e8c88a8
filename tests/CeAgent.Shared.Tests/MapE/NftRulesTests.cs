using CeAgent.Shared.MapE;

namespace CeAgent.Shared.Tests.MapE;

public class NftRulesTests
{
    private static MapeParams Derive(string rule4, int ea, int offset, string pd) =>
        MapeCalculator.Derive(MapRule.Parse("2001:db8::/40", rule4, ea, offset), Ipv6Prefix.Parse(pd, "prefix"));

    [Fact]
    public void One_rule_spreads_over_every_range()
    {
        MapeParams p = Derive("192.0.2.0/24", 16, 4, "2001:db8:12:3400::/56");
        string nft = NftRules.Render(p, "wan");
        Assert.Single(nft.Split('\n'), l => l.Contains("snat"));
        Assert.Contains("numgen inc mod 15 map {", nft);
        foreach (var (r, i) in p.Ports.Ranges.Select((r, i) => (r, i)))
            Assert.Contains($"{i} : 192.0.2.18 . {r.First}-{r.Last}", nft);
        Assert.Contains("oifname \"wan\" meta l4proto { tcp, udp, icmp }", nft);
        Assert.StartsWith("# ce-agent", nft);
        Assert.Contains("delete table ip ce_agent_mape", nft);
    }

    [Fact]
    public void A_single_range_needs_no_map_and_a_prefix_becomes_an_address_range()
    {
        MapeParams p = MapeCalculator.Derive(MapRule.Parse("2001:db8::/32", "10.0.0.0/8", 16, 6), Ipv6Prefix.Parse("2001:db8:abcd::/48", "prefix"));
        string nft = NftRules.Render(p, "eth1");
        Assert.Contains("snat ip to 10.171.205.0-10.171.205.255:1024-65535", nft);
        Assert.DoesNotContain("numgen", nft);
    }

    [Theory]
    [InlineData("")]
    [InlineData("wan\"; flush ruleset")]
    [InlineData("a-very-long-interface-name")]
    public void Bad_interface_names_are_refused(string wan)
    {
        MapeParams p = Derive("192.0.2.0/24", 16, 4, "2001:db8:12:3400::/56");
        Assert.Equal("wan", Assert.Throws<MapeException>(() => NftRules.Render(p, wan)).Field);
    }
}
