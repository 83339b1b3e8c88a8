using System.Text.Json;
using CeAgent.TestKit;

namespace CeAgent.Tests.MapE;

public class MapeCommandTests
{
    private static readonly string[] Rfc =
        ["mape", "--rule6", "2001:db8::/40", "--rule4", "192.0.2.0/24", "--ea-len", "16", "--psid-offset", "6"];

    [Fact]
    public void Json_has_the_documented_fields()
    {
        ProcResult r = Programs.Run("ce-agent", [.. Rfc, "--prefix", "2001:db8:12:3400::/56", "--json"]).EnsureSuccess("mape --json");
        using var doc = JsonDocument.Parse(r.Stdout);
        JsonElement o = doc.RootElement;
        Assert.Equal("192.0.2.18", o.GetProperty("ipv4").GetString());
        Assert.Equal(32, o.GetProperty("ipv4PrefixLength").GetInt32());
        Assert.Equal(52, o.GetProperty("psid").GetInt32());
        Assert.Equal(8, o.GetProperty("psidLength").GetInt32());
        Assert.Equal(252, o.GetProperty("portCount").GetInt32());
        Assert.Equal("2001:db8:12:3400:0:c000:212:34", o.GetProperty("ceAddress").GetString());
        JsonElement first = o.GetProperty("portRanges")[0];
        Assert.Equal([1232, 1235], first.EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(63, o.GetProperty("portRanges").GetArrayLength());
    }

    [Fact]
    public void Draft_iid_and_readable_output()
    {
        ProcResult r = Programs.Run("ce-agent", [.. Rfc, "--prefix", "2001:db8:12:3400::/56", "--iid", "draft"]).EnsureSuccess("mape");
        Assert.Contains("2001:db8:12:3400:c0:2:1200:3400", r.Stdout);
        Assert.Contains("192.0.2.18/32", r.Stdout);
        Assert.Contains("252 in 63 ranges", r.Stdout);
    }

    [Theory]
    [InlineData(1, "prefix: '2001:db8:12:3400::/48' has bits set", "--prefix", "2001:db8:12:3400::/48")]
    [InlineData(1, "prefix: 2001:db9:12:3400::/56 is outside", "--prefix", "2001:db9:12:3400::/56")]
    [InlineData(1, "psid-len: 7 is inconsistent", "--prefix", "2001:db8:12:3400::/56", "--psid-len", "7")]
    [InlineData(2, "unknown option --bogus", "--prefix", "2001:db8:12:3400::/56", "--bogus", "1")]
    [InlineData(2, "--iid: 'x' is neither", "--prefix", "2001:db8:12:3400::/56", "--iid", "x")]
    [InlineData(2, "missing required option --prefix")]
    [InlineData(2, "exclude each other", "--prefix", "2001:db8:12:3400::/56", "--json", "--nft")]
    public void Bad_input_exits_non_zero_naming_the_field(int exit, string message, params string[] extra)
    {
        ProcResult r = Programs.Run("ce-agent", [.. Rfc, .. extra]);
        Assert.Equal(exit, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void Help_and_version()
    {
        Assert.Contains("--psid-offset", Programs.Run("ce-agent", "mape", "--help").EnsureSuccess("help").Stdout);
        Assert.Matches(@"^ce-agent \d+\.\d+\.\d+", Programs.Run("ce-agent", "--version").EnsureSuccess("version").Stdout);
        Assert.Contains("mape", Programs.Run("ce-agent", "--help").EnsureSuccess("help").Stdout);
    }
}
