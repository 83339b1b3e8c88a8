using CeAgent.Shared.MapE;

namespace CeAgent.Shared.Tests.MapE;

public class MapeCalculatorTests
{
    // RFC 7597 appendix A, example 1 (and example 2's port 1232 for the inverse).
    private static readonly MapRule Rfc = MapRule.Parse("2001:db8::/40", "192.0.2.0/24", 16, 6);
    private static readonly MapRule V6plusLike = MapRule.Parse("2001:db8::/40", "192.0.2.0/24", 16, 4);

    [Fact]
    public void Rfc7597_appendix_a_example_1()
    {
        MapeParams p = MapeCalculator.Derive(Rfc, Ipv6Prefix.Parse("2001:db8:12:3400::/56", "prefix"));
        Assert.Equal("192.0.2.18", p.Ipv4.ToString());
        Assert.Equal(32, p.Ipv4PrefixLength);
        Assert.Equal(0x34, p.Psid);
        Assert.Equal(8, p.PsidLength);
        Assert.Equal("2001:db8:12:3400:0:c000:212:34", p.CeAddress.ToString());
        Assert.Equal("2001:db8:12:3400::/56", p.EndUserPrefix.ToString());
        Assert.Equal(new PortRange(1232, 1235), p.Ports.Ranges[0]);
        Assert.Equal(new PortRange(64720, 64723), p.Ports.Ranges[^1]);
        Assert.Equal(252, p.Ports.Count);
    }

    [Fact]
    public void Rfc7597_appendix_a_example_2_inverse()
    {
        MapeOwner o = MapeCalculator.Owner(Rfc, Ip("192.0.2.18"), 1232);
        Assert.Equal(0x34, o.Psid);
        Assert.Equal("2001:db8:12:3400::/56", o.Prefix.ToString());
    }

    [Fact]
    public void Draft_interface_id_puts_ipv4_and_psid_one_byte_later()
    {
        MapeParams p = MapeCalculator.Derive(Rfc, Ipv6Prefix.Parse("2001:db8:12:3400::/56", "prefix"), InterfaceIdFormat.Draft);
        Assert.Equal("2001:db8:12:3400:c0:2:1200:3400", p.CeAddress.ToString());
    }

    [Fact]
    public void Longer_delegated_prefix_uses_only_its_ea_bits_and_subnet_zero()
    {
        MapeParams p = MapeCalculator.Derive(Rfc, Ipv6Prefix.Parse("2001:db8:12:34ff::/64", "prefix"));
        Assert.Equal("2001:db8:12:3400::/56", p.EndUserPrefix.ToString());
        Assert.Equal("2001:db8:12:3400:0:c000:212:34", p.CeAddress.ToString());
    }

    [Fact]
    public void Every_psid_and_every_port_round_trips_through_the_owner()
    {
        // v6plus-like layout: for each of the 256 CEs of one IPv4 address, every port of its set leads back to it.
        for (int psid = 0; psid < 256; psid++)
        {
            var pd = Ipv6Prefix.Parse($"2001:db8:12:{psid:x2}00::/56", "prefix");
            MapeParams p = MapeCalculator.Derive(V6plusLike, pd);
            Assert.Equal("192.0.2.18", p.Ipv4.ToString());
            Assert.Equal(psid, p.Psid);
            Assert.Equal(240, p.Ports.Count);
            for (int i = 0; i < p.Ports.Count; i++)
            {
                MapeOwner o = MapeCalculator.Owner(V6plusLike, p.Ipv4Bits, p.Ports.PortAt(i));
                Assert.Equal(psid, o.Psid);
                Assert.Equal(p.EndUserPrefix, o.Prefix);
            }
        }
    }

    [Fact]
    public void Full_address_no_sharing()
    {
        var rule = MapRule.Parse("2001:db8:100::/40", "198.51.100.0/24", 8, 6);
        Assert.False(rule.IsShared);
        MapeParams p = MapeCalculator.Derive(rule, Ipv6Prefix.Parse("2001:db8:1a5::/48", "prefix"));
        Assert.Equal("198.51.100.165", p.Ipv4.ToString());
        Assert.Equal(32, p.Ipv4PrefixLength);
        Assert.Equal(0, p.PsidLength);
        Assert.Equal([new PortRange(1024, 65535)], p.Ports.Ranges);
        Assert.Equal("2001:db8:1a5::c633:64a5:0", p.CeAddress.ToString());
        Assert.Equal(p.EndUserPrefix, MapeCalculator.Owner(rule, Ip("198.51.100.165"), 40000).Prefix);
    }

    [Fact]
    public void Ipv4_prefix_when_ea_bits_are_fewer_than_the_suffix()
    {
        var rule = MapRule.Parse("2001:db8::/32", "10.0.0.0/8", 16, 0);
        MapeParams p = MapeCalculator.Derive(rule, Ipv6Prefix.Parse("2001:db8:abcd::/48", "prefix"));
        Assert.Equal("10.171.205.0", p.Ipv4.ToString());
        Assert.Equal(24, p.Ipv4PrefixLength);
        Assert.Equal([new PortRange(0, 65535)], p.Ports.Ranges);
        Assert.Equal("2001:db8:abcd::/48", MapeCalculator.Owner(rule, Ip("10.171.205.77"), 5).Prefix.ToString());
    }

    [Fact]
    public void Offset_zero_uses_low_ports_too()
    {
        var rule = MapRule.Parse("2001:db8::/40", "192.0.2.0/24", 16, 0);
        MapeParams p = MapeCalculator.Derive(rule, Ipv6Prefix.Parse("2001:db8:12:3400::/56", "prefix"));
        Assert.Equal([new PortRange(0x3400, 0x34ff)], p.Ports.Ranges);
        Assert.Equal(0x34, MapeCalculator.Owner(rule, Ip("192.0.2.18"), 0x3400).Psid);
    }

    [Fact]
    public void Ea_length_zero_gives_the_rule_address_itself()
    {
        var rule = MapRule.Parse("2001:db8:1::/64", "192.0.2.7/32", 0, 6);
        MapeParams p = MapeCalculator.Derive(rule, Ipv6Prefix.Parse("2001:db8:1::/64", "prefix"));
        Assert.Equal("192.0.2.7", p.Ipv4.ToString());
        Assert.Equal("2001:db8:1::/64", MapeCalculator.Owner(rule, Ip("192.0.2.7"), 2000).Prefix.ToString());
    }

    [Theory]
    [InlineData("2001:db9:12:3400::/56", "prefix", "outside the rule")]
    [InlineData("2001:db8:12::/48", "prefix", "shorter than")]
    [InlineData("2001:db8:12:3400::/80", "prefix", "longer than /64")]
    public void Bad_delegated_prefix_names_the_field(string pd, string field, string words)
    {
        var e = Assert.Throws<MapeException>(() => MapeCalculator.Derive(Rfc, Ipv6Prefix.Parse(pd, "prefix")));
        Assert.Equal(field, e.Field);
        Assert.Contains(words, e.Message);
    }

    [Theory]
    [InlineData("192.0.3.18", 1232, "ip")]
    [InlineData("192.0.2.18", 1023, "port")]
    [InlineData("192.0.2.18", 0, "port")]
    [InlineData("192.0.2.18", 65536, "port")]
    public void Owner_refuses_addresses_and_ports_no_ce_holds(string ip, int port, string field)
    {
        var e = Assert.Throws<MapeException>(() => MapeCalculator.Owner(Rfc, Ip(ip), port));
        Assert.Equal(field, e.Field);
    }

    private static uint Ip(string s) => IpText.ParseIpv4(s, "ip");
}
