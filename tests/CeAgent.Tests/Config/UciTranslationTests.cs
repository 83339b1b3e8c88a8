using System.Text.Json.Nodes;
using CeAgent.Config;
using CeAgent.TestKit;

namespace CeAgent.Tests.Config;

/// <summary>
/// OpenWrt's init script turns UCI into the agent's JSON and must invent nothing: what UCI leaves out, the
/// agent's defaults (AgentConfig's initialisers) decide. Real here: the shipped init script and its
/// translation function, run by busybox ash (OpenWrt's shell; `make deps` installs busybox), and the built
/// ce-agent's `run --check` and `config`. Stood in: OpenWrt's `uci` (not packaged for Debian) by
/// tools/stubs/uci, which reads UCI's file syntax, and rc.common by tools/rc-common-stub.sh.
/// </summary>
public sealed class UciTranslationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ce-uci-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string BusyBox = "/usr/bin/busybox";

    private static readonly string[] Provisioned =
        ["ceId", "mape.rule6", "mape.rule4", "mape.eaLength", "mape.psidOffset", "mape.prefix", "filterKey", "filterKeyEpoch"];

    private const string Minimal = """
        option ce_id 'ce-0042'
        option rule6 '2001:db8::/40'
        option rule4 '192.0.2.0/24'
        option ea_length '16'
        option psid_offset '4'
        option prefix '2001:db8:12:3400::/56'
        option filter_key '000102030405060708090a0b0c0d0e0f'
        option filter_key_epoch '3'
        """;

    // Every option the init script knows, none at its default.
    private const string Full = Minimal + """

        option psid_length '8'
        option window_seconds '60'
        option batch_windows '3'
        option close_delay_seconds '5'
        option spool_dir '/srv/ce-agent/spool'
        option spool_max_bytes '1048576'
        option broker_host 'mqtt.isp.example'
        option broker_port '1883'
        option ca_file '/etc/ce-agent/ca.crt'
        option cert_file '/etc/ce-agent/client.crt'
        option key_file '/etc/ce-agent/client.key'
        option device_key '/etc/ce-agent/device-key.pem'
        option ntp_signal '/tmp/ntp-signal'
        option receive_buffer '8388608'
        option led_backend 'sysfs'
        option led_status 'green:status'
        option led_fault 'red:fault'
        """;

    /// <summary>The init script's translation of a UCI file: what procd's start would write.</summary>
    private ProcResult Translate(string uciFile)
    {
        File.WriteAllText(Path.Combine(_dir, "ce-agent"), uciFile);
        string root = Host.RepoRoot;
        Assert.True(File.Exists(BusyBox), $"{BusyBox} is missing: the translation runs under OpenWrt's shell (make deps installs busybox)");
        return Proc.Run(BusyBox, ["sh", "-c", ". \"$ROOT/tools/rc-common-stub.sh\"; . \"$ROOT/rootfs/openwrt/etc/init.d/ce-agent\"; ce_agent_json"],
            env: new Dictionary<string, string>
            {
                ["ROOT"] = root,
                ["UCI_STUB_DIR"] = _dir,
                ["PATH"] = $"{root}/tools/stubs:{Environment.GetEnvironmentVariable("PATH")}",
            });
    }

    private ProcResult TranslateOk(string options) =>
        Translate("config agent 'main'\n\toption enabled '1'\n" + options + "\n").EnsureSuccess("the init script's translation");

    private string WriteJson(string json)
    {
        string path = Path.Combine(_dir, "agent.json");
        File.WriteAllText(path, json);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>Every value in a JSON document, by its dotted path.</summary>
    private static Dictionary<string, string> Leaves(JsonNode? node, string prefix = "")
    {
        var leaves = new Dictionary<string, string>();
        if (node is JsonObject o)
            foreach (var (name, child) in o)
                foreach (var (k, v) in Leaves(child, prefix + name + "."))
                    leaves[k] = v;
        else
            leaves[prefix.TrimEnd('.')] = node?.ToJsonString() ?? "null";
        return leaves;
    }

    private static int Options(string uci) => uci.Split('\n').Count(l => l.TrimStart().StartsWith("option ", StringComparison.Ordinal));

    /// <summary>The translation is accepted, and the agent's effective configuration is the translation where
    /// UCI spoke (the filter key hidden) and AgentConfig's defaults everywhere else.</summary>
    private Dictionary<string, string> AssertEffective(string translated)
    {
        string path = WriteJson(translated);
        ProcResult check = Programs.Run("ce-agent", "run", "--check", "--config", path);
        Assert.True(check.ExitCode == 0, $"{translated}\n-> {check.Stderr}");
        Dictionary<string, string> set = Leaves(JsonNode.Parse(translated));
        Dictionary<string, string> effective = Leaves(JsonNode.Parse(Programs.Run("ce-agent", "config", "--config", path).EnsureSuccess("config").Stdout));
        Dictionary<string, string> defaults = Leaves(JsonNode.Parse(new AgentConfig().ToJson()));
        Assert.Equal(defaults.Keys.Order(), effective.Keys.Order());
        foreach (var (field, value) in effective)
            if (field == "filterKey")
                Assert.DoesNotContain(JsonNode.Parse(set[field])!.GetValue<string>(), value);
            else
                Assert.True(value == (set.TryGetValue(field, out string? s) ? s : defaults[field]), $"{field}: {value}");
        return set;
    }

    [Fact]
    public void An_empty_UCI_config_translates_to_nothing_and_fails_naming_what_the_ISP_must_set()
    {
        string json = TranslateOk("").Stdout;
        Assert.Empty(Leaves(JsonNode.Parse(json)));
        string path = WriteJson(json);
        foreach (ProcResult r in new[] { Programs.Run("ce-agent", "run", "--check", "--config", path), Programs.Run("ce-agent", "config", "--config", path) })
        {
            Assert.Equal(1, r.ExitCode);
            Assert.Equal("", r.Stdout);
            foreach (string field in Provisioned)
                Assert.Contains($"{field}: missing", r.Stderr);
        }
    }

    [Fact]
    public void A_minimal_UCI_config_passes_with_the_agents_defaults_for_the_rest()
    {
        var set = AssertEffective(TranslateOk(Minimal).Stdout);
        Assert.Equal(Provisioned.Order(), set.Keys.Order());
    }

    [Fact]
    public void A_full_UCI_config_sets_every_field_it_names()
    {
        string json = TranslateOk(Full).Stdout;
        var set = AssertEffective(json);
        Assert.Equal(Options(Full), set.Count);
        Assert.Equal("8388608", set["receiveBuffer"]);
        Assert.Equal("\"sysfs\"", set["leds.backend"]);
    }

    [Fact]
    public void The_shipped_UCI_config_passes_and_sets_only_what_differs_from_the_defaults()
    {
        string shipped = File.ReadAllText(Path.Combine(Host.RepoRoot, "rootfs/openwrt/etc/config/ce-agent"));
        var set = AssertEffective(Translate(shipped).EnsureSuccess("translate the shipped config").Stdout);
        Assert.Equal(Options(shipped) - 1, set.Count); // all but `enabled`, which is the init script's
        Dictionary<string, string> defaults = Leaves(JsonNode.Parse(new AgentConfig().ToJson()));
        Assert.All(set, l => Assert.NotEqual(defaults[l.Key], l.Value));
    }

    [Fact]
    public void Values_are_escaped_numbers_normalised_and_junk_refused_naming_the_UCI_option()
    {
        // Quotes and backslashes reach the agent as they were written in UCI.
        string json = TranslateOk(Minimal + "\noption broker_host 'mq\"tt\\\\x'\noption window_seconds '060'").Stdout;
        var set = AssertEffective(json);
        Assert.Equal("mq\"tt\\\\x", JsonNode.Parse(set["broker.host"])!.GetValue<string>());
        Assert.Equal("60", set["windowSeconds"]);
        foreach (string junk in new[] { "4M", "", "-1", "1e6", " 5" })
        {
            ProcResult r = Translate($"config agent 'main'\n{Minimal}\noption spool_max_bytes '{junk}'\n");
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains($"ce-agent.main.spool_max_bytes: '{junk}' is not a whole number", r.Stderr);
        }
    }

    [Fact]
    public void The_example_configuration_shows_the_agents_defaults()
    {
        // Fields the agent has a default for appear in the example with that default, except where an operator
        // must choose (the broker's host).
        AgentConfig parsed = AgentConfig.Load(Path.Combine(Host.RepoRoot, "rootfs/common/agent.json.example"));
        Dictionary<string, string> shown = Leaves(JsonNode.Parse(parsed.ToJson())), defaults = Leaves(JsonNode.Parse(new AgentConfig().ToJson()));
        foreach (var (field, value) in defaults)
            if (value != "null" && field != "broker.host")
                Assert.True(shown[field] == value, $"{field}: example {shown[field]}, default {value}");
    }
}
