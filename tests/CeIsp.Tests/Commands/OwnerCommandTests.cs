using System.Text.Json;
using CeAgent.TestKit;

namespace CeIsp.Tests.Commands;

public class OwnerCommandTests
{
    private static readonly string[] Rfc =
        ["owner", "--rule6", "2001:db8::/40", "--rule4", "192.0.2.0/24", "--ea-len", "16", "--psid-offset", "6"];

    [Fact]
    public void Rfc7597_example_port_leads_to_the_ce_prefix()
    {
        ProcResult r = Programs.Run("ce-isp", [.. Rfc, "--ip", "192.0.2.18", "--port", "1232", "--json"]).EnsureSuccess("owner");
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(52, doc.RootElement.GetProperty("psid").GetInt32());
        Assert.Equal("2001:db8:12:3400::/56", doc.RootElement.GetProperty("prefix").GetString());
    }

    [Fact]
    public void Last_port_of_the_set_has_the_same_owner()
    {
        ProcResult mape = Programs.Run("ce-isp", [.. Rfc, "--ip", "192.0.2.18", "--port", "64723"]).EnsureSuccess("owner");
        Assert.Contains("PSID 52", mape.Stdout);
        Assert.Contains("2001:db8:12:3400::/56", mape.Stdout);
    }

    [Theory]
    [InlineData(1, "port: 1023 belongs to no CE's port set", "--ip", "192.0.2.18", "--port", "1023")]
    [InlineData(1, "ip: 192.0.3.1 is outside the rule IPv4 prefix", "--ip", "192.0.3.1", "--port", "2000")]
    [InlineData(1, "ip: '192.0.2' is not an IPv4 address", "--ip", "192.0.2", "--port", "2000")]
    [InlineData(1, "ip: '192.0.2.010': '010' has a leading zero", "--ip", "192.0.2.010", "--port", "2000")] // not octal 192.0.2.8
    [InlineData(2, "unexpected argument 'junk'", "--ip", "192.0.2.18", "--port", "2000", "junk")]
    [InlineData(2, "--port: 70000 is outside 0..65535", "--ip", "192.0.2.18", "--port", "70000")]
    [InlineData(2, "--port: 'x' is not an integer", "--ip", "192.0.2.18", "--port", "x")]
    public void Bad_input_names_the_field(int exit, string message, params string[] extra)
    {
        ProcResult r = Programs.Run("ce-isp", [.. Rfc, .. extra]);
        Assert.Equal(exit, r.ExitCode);
        Assert.Contains(message, r.Stderr);
    }
}
