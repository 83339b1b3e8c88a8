using CeAgent.Config;
using CeAgent.TestKit;

namespace CeAgent.Tests.Config;

public sealed class AgentConfigTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    private const string Good = """
        {
          // comments are allowed: operators annotate their files
          "ceId": "ce-0001",
          "mape": { "rule6": "2001:db8::/40", "rule4": "192.0.2.0/24", "eaLength": 16, "psidOffset": 4, "prefix": "2001:db8:12:3400::/56" },
          "filterKey": "000102030405060708090a0b0c0d0e0f", "filterKeyEpoch": 1,
          "broker": { "host": "mqtt.example.net", "port": 8883 },
        }
        """;

    [Fact]
    public void A_good_file_loads_and_derives_the_port_set()
    {
        File.WriteAllText(_file, Good);
        var (mape, key) = AgentConfig.Load(_file).Validate();
        Assert.Equal("192.0.2.18", mape.Ipv4.ToString());
        Assert.Equal(240, mape.Ports.Count);
        Assert.Equal(16, key.Length);
        Assert.Equal(120, AgentConfig.Load(_file).WindowSeconds);
    }

    [Theory]
    [InlineData("\"ceId\": \"ce-0001\"", "\"ceId\": \"ce/1\"", "ceId:")]
    [InlineData("\"eaLength\": 16", "\"eaLength\": 60", "mape.eaLength:")]
    [InlineData("\"prefix\": \"2001:db8:12:3400::/56\"", "\"prefix\": \"2001:db9::/56\"", "mape.prefix:")]
    [InlineData("\"rule6\": \"2001:db8::/40\",", "", "mape.rule6: missing")]
    [InlineData("000102030405060708090a0b0c0d0e0f", "0001", "filterKey: 2 bytes")]
    [InlineData("000102030405060708090a0b0c0d0e0f", "zz", "filterKey: not hexadecimal")]
    [InlineData("\"filterKeyEpoch\": 1", "\"filterKeyEpoch\": 0", "filterKeyEpoch: missing")]
    [InlineData(", \"filterKeyEpoch\": 1", "", "filterKeyEpoch: missing")]
    [InlineData("\"port\": 8883", "\"port\": 0", "broker.port:")]
    [InlineData("\"ceId\"", "\"windowSeconds\": 7, \"ceId\"", "windowSeconds: 7")]
    public void Bad_fields_are_named(string from, string to, string message)
    {
        File.WriteAllText(_file, Good.Replace(from, to, StringComparison.Ordinal));
        var e = Assert.ThrowsAny<FormatException>(() => AgentConfig.Load(_file).Validate());
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Unknown_fields_and_broken_json_are_refused()
    {
        File.WriteAllText(_file, Good.Replace("\"ceId\"", "\"ceid\": 1, \"ceId\"", StringComparison.Ordinal));
        Assert.Contains("ceid", Assert.Throws<ConfigException>(() => AgentConfig.Load(_file)).Message);
        File.WriteAllText(_file, "{ \"ceId\": ");
        Assert.Contains(_file, Assert.Throws<ConfigException>(() => AgentConfig.Load(_file)).Message);
        Assert.Contains("/nonexistent/agent.json", Assert.Throws<ConfigException>(() => AgentConfig.Load("/nonexistent/agent.json")).Message);
    }

    [Fact]
    public void Run_refuses_a_bad_configuration_before_starting()
    {
        File.WriteAllText(_file, Good.Replace("\"eaLength\": 16", "\"eaLength\": 60", StringComparison.Ordinal));
        ProcResult r = Programs.Run("ce-agent", "run", "--config", _file);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("mape.eaLength", r.Stderr);
        File.WriteAllText(_file, Good);
        ProcResult b = Programs.Run("ce-agent", "run", "--config", _file, "--broker", "nocolon");
        Assert.Equal(2, b.ExitCode);
        Assert.Contains("HOST:PORT", b.Stderr);
    }
}
