using CeAgent.Config;
using CeAgent.TestKit;

namespace CeAgent.Tests.Config;

/// <summary>agent.json against null, wrong types, empty strings, devices and random damage; `--check`
/// runs what `run` runs; stray arguments are errors. Never a stack trace, always the field named.</summary>
public sealed class AgentConfigStrictTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    private const string Good = """
        {
          "ceId": "ce-0001",
          "mape": { "rule6": "2001:db8::/40", "rule4": "192.0.2.0/24", "eaLength": 16, "psidOffset": 4, "prefix": "2001:db8:12:3400::/56" },
          "filterKey": "000102030405060708090a0b0c0d0e0f",
          "filterKeyEpoch": 1,
          "broker": { "host": "mqtt.example.net", "port": 8883 },
          "spool": { "dir": "/tmp/ce-spool-test", "maxBytes": 4194304 },
          "leds": { "backend": "none" },
          "windowSeconds": 120, "batchWindows": 5, "receiveBuffer": 4194304, "keyFile": "/tmp/k.pem"
        }
        """;

    private static void LoadAndValidate(string path) => AgentConfig.Load(path).Validate();

    [Theory]
    [InlineData("\"mape\": {", "\"mape\": null, \"x\": {", "mape")]
    [InlineData("\"spool\": {", "\"spool\": null, \"x\": {", "spool")]
    [InlineData("\"broker\": {", "\"broker\": null, \"x\": {", "broker")]
    [InlineData("\"leds\": {", "\"leds\": null, \"x\": {", "leds")]
    [InlineData("\"dir\": \"/tmp/ce-spool-test\"", "\"dir\": null", "spool.dir")]
    [InlineData("\"dir\": \"/tmp/ce-spool-test\"", "\"dir\": \"\"", "spool.dir: empty")]
    [InlineData("\"host\": \"mqtt.example.net\"", "\"host\": \"\"", "broker.host: empty")]
    [InlineData("\"backend\": \"none\"", "\"backend\": \"blinkenlights\"", "leds.backend: 'blinkenlights'")]
    [InlineData("\"receiveBuffer\": 4194304", "\"receiveBuffer\": -1", "receiveBuffer: -1")]
    [InlineData("\"eaLength\": 16", "\"eaLength\": \"16\"", "mape.eaLength")]
    [InlineData("\"rule4\": \"192.0.2.0/24\"", "\"rule4\": \"192.0.02.0/24\"", "mape.rule4: '192.0.02.0': '02' has a leading zero")]
    public void Null_wrong_types_and_empty_strings_name_the_field(string from, string to, string message)
    {
        File.WriteAllText(_file, Good.Replace(from, to, StringComparison.Ordinal));
        var e = Assert.ThrowsAny<FormatException>(() => LoadAndValidate(_file));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("\"host\": \"mqtt.example.net\"", "\"host\": \"\"", "broker.host: empty")]
    [InlineData("\"backend\": \"none\"", "\"backend\": \"blinkenlights\"", "leds.backend")]
    [InlineData("\"receiveBuffer\": 4194304", "\"receiveBuffer\": -1", "receiveBuffer")]
    [InlineData("\"mape\": {", "\"mape\": null, \"x\": {", "mape")]
    public void Check_refuses_what_run_refuses(string from, string to, string message)
    {
        File.WriteAllText(_file, Good.Replace(from, to, StringComparison.Ordinal));
        foreach (string[] args in new[] { new[] { "run", "--config", _file, "--check" }, ["run", "--config", _file] })
        {
            ProcResult r = Programs.Run("ce-agent", args);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains(message, r.Stderr);
            Assert.DoesNotContain("   at ", r.Stderr); // no stack trace
        }
    }

    [Fact]
    public void Check_accepts_the_good_file()
    {
        File.WriteAllText(_file, Good);
        ProcResult r = Programs.Run("ce-agent", "run", "--config", _file, "--check");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("configuration ok", r.Stdout);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    [InlineData("/tmp")]
    public void A_config_that_is_not_a_bounded_regular_file_is_refused(string path)
    {
        ProcResult r = Programs.Run("ce-agent", "run", "--config", path, "--check");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(path, r.Stderr);
    }

    [Theory]
    [InlineData("mape", "junk", "--rule6", "2001:db8::/40", "--rule4", "192.0.2.0/24", "--ea-len", "16", "--psid-offset", "4", "--prefix", "2001:db8:12:3400::/56")]
    [InlineData("run", "extra", "--check")]
    [InlineData("key", "--public", "stray")]
    public void Stray_arguments_are_usage_errors(params string[] args)
    {
        ProcResult r = Programs.Run("ce-agent", args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unexpected argument", r.Stderr);
    }

    [Fact]
    public void Every_field_made_null_wrong_typed_empty_or_missing_is_refused_by_name_or_accepted()
    {
        int refused = 0;
        foreach (var (json, field) in JsonMutator.Structural(Good))
        {
            File.WriteAllText(_file, json);
            try
            {
                LoadAndValidate(_file);
            }
            catch (FormatException e)
            {
                Assert.True(e.Message.Contains(field, StringComparison.Ordinal),
                    $"{json}\n-> {e.Message}\n(should name {field})");
                refused++;
            }
        }
        Assert.True(refused > 50, $"only {refused} mutations refused");
    }

    [Fact]
    public void Random_damage_never_escapes_as_anything_but_a_format_error()
    {
        foreach (string json in JsonMutator.Random(Good, 2000, seed: 19))
        {
            File.WriteAllText(_file, json);
            try
            {
                LoadAndValidate(_file);
            }
            catch (FormatException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
            }
        }
    }
}
