using CeAgent.TestKit;
using CeIsp.Config;

namespace CeIsp.Tests.Config;

/// <summary>A broken isp.json is refused with the field that is wrong, before anything connects or opens.</summary>
public sealed class IspConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ce-isp-config-").FullName;

    private string Write(string json)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void A_minimal_file_takes_the_documented_defaults()
    {
        IspConfig c = IspConfig.Load(Write("""{ "store": { "kind": "sqlite", "target": "/tmp/x.db" } }"""));
        Assert.Equal("ce-isp", c.Broker.Group);
        Assert.Equal(8883, c.Broker.Port);
        Assert.False(c.TrustOnFirstUse);
        Assert.Empty(c.Devices);
    }

    [Theory]
    [InlineData("""{ "store": { "kind": "mysql" } }""", "store.kind: 'mysql'")]
    [InlineData("""{ "store": { "target": " " } }""", "store.target: empty")]
    [InlineData("""{ "broker": { "port": 70000 } }""", "broker.port: 70000")]
    [InlineData("""{ "broker": { "group": "a/b" } }""", "broker.group: 'a/b'")]
    [InlineData("""{ "broker": { "group": "" } }""", "broker.group: ''")]
    [InlineData("""{ "broker": { "clientId": "" } }""", "broker.clientId: empty")]
    [InlineData("""{ "broker": { "certFile": "/x.crt" } }""", "broker.certFile and broker.keyFile")]
    [InlineData("""{ "devices": [ { "ceId": "ce/1", "line": "l", "publicKeyPem": "-----BEGIN PUBLIC KEY-----" } ] }""", "devices[0].ceId: 'ce/1'")]
    [InlineData("""{ "devices": [ { "ceId": "ce-1", "line": "", "publicKeyPem": "-----BEGIN PUBLIC KEY-----" } ] }""", "devices[0].line: empty")]
    [InlineData("""{ "devices": [ { "ceId": "ce-1", "line": "l", "publicKeyPem": "hello" } ] }""", "devices[0].publicKeyPem")]
    [InlineData("""{ "devices": [ { "ceId": "ce-7", "line": "l", "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nZ2FyYmFnZQ==\n-----END PUBLIC KEY-----" } ] }""", "devices[0].publicKeyPem of ce-7: the key does not parse")]
    [InlineData("""{ "devices": [ { "ceId": "ce-8", "line": "l", "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----" } ] }""", "devices[0].publicKeyPem of ce-8: the key does not parse")]
    [InlineData("""{ "devices": [ { "ceId": "ce-1", "line": "l", "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEXROkcSJaJrkIFOdkU6VYiK8/b0Kp\nxuZxNyAAtQQE4juhmeyyXxWeUjat4iT67/1GJBHSq1YRvxgRZwy+2jDbJQ==\n-----END PUBLIC KEY-----", "nextPublicKeyPem": "x" } ] }""", "devices[0].nextPublicKeyPem")]
    [InlineData("""{ "filterKeyEpoch": { "current": 0 } }""", "filterKeyEpoch.current")]
    [InlineData("""{ "stroe": {} }""", "stroe")]
    [InlineData("""{ "store": { "kind": 3 } }""", "store.kind:")]
    [InlineData("""{ "store": """, "")]
    [InlineData("""{ "store": null }""", "store")]
    [InlineData("""{ "broker": null }""", "broker")]
    [InlineData("""{ "devices": null }""", "devices")]
    [InlineData("""{ "devices": [ null ] }""", "devices[0]: null")]
    [InlineData("""{ "devices": [ { "ceId": null } ] }""", "devices[0].ceId")]
    [InlineData("""{ "store": { "target": null } }""", "store.target")]
    [InlineData("""{ "broker": { "host": "" } }""", "broker.host: empty")]
    [InlineData("""{ "auditLog": "" }""", "auditLog: empty")]
    [InlineData("""{ "trustOnFirstUse": "yes" }""", "trustOnFirstUse")]
    [InlineData("""[]""", "")]
    public void Bad_fields_are_named(string json, string expected)
    {
        string path = Write(json);
        var e = Assert.Throws<FormatException>(() => IspConfig.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData(null, "masterKey: missing")]
    [InlineData("", "masterKey: 0 bytes")]
    [InlineData("zz", "masterKey: not hexadecimal")]
    [InlineData("00112233", "masterKey: 4 bytes")]
    [InlineData("000102030405060708090a0b0c0d0e0f", "masterKey: 16 bytes; needs 32")]
    public void The_resolver_needs_the_master_key(string? key, string expected) =>
        Assert.Contains(expected, Assert.Throws<FormatException>(() => new IspConfig { MasterKey = key }.RequireMasterKey()).Message);

    [Fact]
    public void The_commands_refuse_a_bad_file_with_its_reason_and_a_non_zero_exit()
    {
        string path = Write("""{ "broker": { "group": "x+y" } }""");
        foreach (string[] args in new[] { new[] { "collect", "--config", path }, ["resolve", "--request", path, "--config", path] })
        {
            ProcResult r = Programs.Run("ce-isp", args);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("broker.group: 'x+y'", r.Stderr);
        }
    }

    private const string Full = """
        { "store": { "kind": "sqlite", "target": "/tmp/x.db" }, "broker": { "host": "mqtt", "port": 8883, "group": "g", "clientId": "c1" },
          "devices": [ { "ceId": "ce-1", "line": "line-1", "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEXROkcSJaJrkIFOdkU6VYiK8/b0Kp\nxuZxNyAAtQQE4juhmeyyXxWeUjat4iT67/1GJBHSq1YRvxgRZwy+2jDbJQ==\n-----END PUBLIC KEY-----" } ],
          "trustOnFirstUse": false, "masterKeyFile": "/etc/ce-isp/master.key", "auditLog": "/tmp/audit.jsonl" }
        """;

    [Fact]
    public void Every_field_made_null_wrong_typed_empty_or_missing_is_refused_by_name_or_accepted()
    {
        int refused = 0;
        foreach (var (json, field) in JsonMutator.Structural(Full))
        {
            string path = Write(json);
            try
            {
                IspConfig.Load(path);
            }
            catch (FormatException e)
            {
                Assert.True(e.Message.Contains(field, StringComparison.Ordinal), $"{json}\n-> {e.Message}\n(should name {field})");
                refused++;
            }
        }
        Assert.True(refused > 40, $"only {refused} mutations refused");
    }

    [Fact]
    public void Random_damage_never_escapes_as_anything_but_a_format_error()
    {
        foreach (string json in JsonMutator.Random(Full, 2000, seed: 19))
        {
            string path = Write(json);
            try
            {
                IspConfig.Load(path);
            }
            catch (FormatException e)
            {
                Assert.Contains(path, e.Message);
            }
        }
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public void A_config_that_is_not_a_bounded_regular_file_is_refused(string path)
    {
        ProcResult r = Programs.Run("ce-isp", "collect", "--config", path);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(path, r.Stderr);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
