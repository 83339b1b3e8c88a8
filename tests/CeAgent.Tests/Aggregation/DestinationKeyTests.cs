using System.Net;
using CeAgent.Shared.Summary;

namespace CeAgent.Tests.Aggregation;

public class DestinationKeyTests
{
    [Theory]
    [InlineData("203.0.113.10", 443, Proto.Tcp)]
    [InlineData("0.0.0.0", 0, Proto.Icmp)]
    [InlineData("255.255.255.255", 65535, Proto.Udp)]
    public void A_flow_key_survives_the_compact_form(string address, int port, Proto proto)
    {
        var key = new FlowKey(IPAddress.Parse(address), port, proto);
        DestinationKey d = key;
        Assert.Equal(key, d.ToFlowKey());
        Assert.Equal(IPAddress.Parse(address), DestinationKey.ToAddress(d.Address));
    }

    [Fact]
    public void The_address_is_host_order_so_it_equals_the_conntrack_records()
    {
        DestinationKey d = new FlowKey(IPAddress.Parse("203.0.113.10"), 80, Proto.Tcp);
        Assert.Equal(0xCB00710Au, d.Address);
    }

    [Fact]
    public void An_ipv6_destination_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => DestinationKey.From(new FlowKey(IPAddress.Parse("2001:db8::1"), 443, Proto.Tcp)));
        Assert.Contains("2001:db8::1", e.Message);
    }

    [Fact]
    public void A_port_outside_sixteen_bits_is_refused() =>
        Assert.Throws<OverflowException>(() => DestinationKey.From(new FlowKey(IPAddress.Loopback, 70000, Proto.Udp)));
}
