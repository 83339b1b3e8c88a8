using CeAgent.Shared.MapE;

namespace CeAgent.Shared.Tests.MapE;

public class MapRuleTests
{
    [Theory]
    [InlineData("2001:db8::", "192.0.2.0/24", 16, 6, null, "rule6", "ADDRESS/LENGTH")]
    [InlineData("2001:db8::/129", "192.0.2.0/24", 16, 6, null, "rule6", "prefix length")]
    [InlineData("2001:db8::/x", "192.0.2.0/24", 16, 6, null, "rule6", "prefix length")]
    [InlineData("192.0.2.0/24", "192.0.2.0/24", 16, 6, null, "rule6", "not an IPv6 address")]
    [InlineData("2001:db8::1/40", "192.0.2.0/24", 16, 6, null, "rule6", "bits set after /40")]
    [InlineData("2001:db8::/40", "192.0.2/24", 16, 6, null, "rule4", "not an IPv4 address")]
    [InlineData("2001:db8::/40", "2001:db8::/24", 16, 6, null, "rule4", "not an IPv4 address")]
    [InlineData("2001:db8::/40", "192.0.2.0/33", 16, 6, null, "rule4", "prefix length")]
    [InlineData("2001:db8::/40", "192.0.2.1/24", 16, 6, null, "rule4", "bits set after /24")]
    [InlineData("2001:db8::/40", "192.0.2.0/24", 49, 6, null, "ea-len", "0..48")]
    [InlineData("2001:db8::/40", "192.0.2.0/24", -1, 6, null, "ea-len", "0..48")]
    [InlineData("2001:db8::/56", "192.0.2.0/24", 16, 6, null, "ea-len", "longer than /64")]
    [InlineData("2001:db8::/40", "192.0.2.0/24", 16, 16, null, "psid-offset", "0..15")]
    [InlineData("2001:db8::/40", "192.0.2.0/24", 16, -1, null, "psid-offset", "0..15")]
    [InlineData("2001:db8::/40", "192.0.2.0/24", 16, 6, 6, "psid-len", "inconsistent")]
    [InlineData("2001:db8::/32", "192.0.2.0/24", 24, 6, null, "psid-offset", "exceeds the 16 bits")]
    public void Bad_rules_name_the_field(string rule6, string rule4, int ea, int offset, int? psidLen, string field, string words)
    {
        var e = Assert.Throws<MapeException>(() => MapRule.Parse(rule6, rule4, ea, offset, psidLen));
        Assert.Equal(field, e.Field);
        Assert.Contains(words, e.Message);
        Assert.StartsWith(field + ": ", e.Message);
    }

    [Theory]
    [InlineData(24, 16, 8, 32)]
    [InlineData(24, 8, 0, 32)]
    [InlineData(16, 8, 0, 24)]
    [InlineData(32, 8, 8, 32)]
    public void Psid_length_and_ipv4_length_follow_from_the_rule(int r4, int ea, int k, int ipv4Len)
    {
        var rule = new MapRule(Ipv6Prefix.Parse("2001:db8::/32", "rule6"), new Ipv4Prefix(0xC0000000, r4), ea, 4, k);
        Assert.Equal(k, rule.PsidLength);
        Assert.Equal(ipv4Len, rule.Ipv4PrefixLength);
    }
}
