using System.Text.Json.Nodes;
using CeAgent.Shared.Secrets;
using CeAgent.TestKit;

namespace CeIsp.Tests.Commands;

/// <summary>`ce-isp key`: keys reach 0600 files, never the terminal; secret files open to others stop the programs.</summary>
public sealed class KeyCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("key-cmd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private string Config(JsonObject extra, UnixFileMode mode = SecretFile.Private)
    {
        extra["store"] = new JsonObject { ["kind"] = "sqlite", ["target"] = P("s.db") };
        extra["auditLog"] = P("audit.jsonl");
        string path = P($"isp-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, extra.ToJsonString());
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void Master_then_derive_writes_private_files_and_prints_no_key()
    {
        ProcResult m = Programs.Run("ce-isp", "key", "master", "--out", P("master.key")).EnsureSuccess("key master");
        Assert.Equal(SecretFile.Private, File.GetUnixFileMode(P("master.key")));
        string masterHex = File.ReadAllText(P("master.key")).Trim();
        Assert.Equal(64, masterHex.Length);
        Assert.DoesNotContain(masterHex, m.Stdout + m.Stderr, StringComparison.OrdinalIgnoreCase);
        string config = Config(new JsonObject { ["masterKeyFile"] = P("master.key") }, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        ProcResult d = Programs.Run("ce-isp", "key", "derive", "--ce-id", "ce-0042", "--epoch", "3", "--config", config, "--out", P("ce.key"))
            .EnsureSuccess("key derive");
        Assert.Equal(SecretFile.Private, File.GetUnixFileMode(P("ce.key")));
        string derived = File.ReadAllText(P("ce.key")).Trim();
        Assert.Equal(Convert.ToHexStringLower(FilterKeys.Derive(Convert.FromHexString(masterHex), "ce-0042", 3)), derived);
        Assert.DoesNotContain(derived, d.Stdout + d.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("ce-0042, epoch 3", d.Stdout, StringComparison.Ordinal);
        string audit = Assert.Single(File.ReadAllLines(P("audit.jsonl")));
        Assert.Contains("\"action\":\"key-derive\",\"subject\":\"ce-0042\"", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(derived, audit, StringComparison.OrdinalIgnoreCase);

        // A second master never overwrites the first: that would orphan every key derived from it.
        ProcResult again = Programs.Run("ce-isp", "key", "master", "--out", P("master.key"));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("exists; not replaced", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(masterHex, File.ReadAllText(P("master.key")).Trim());
    }

    [Fact]
    public void A_master_key_file_open_to_others_is_refused_naming_file_and_mode()
    {
        Programs.Run("ce-isp", "key", "master", "--out", P("master.key")).EnsureSuccess("key master");
        File.SetUnixFileMode(P("master.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        ProcResult r = Programs.Run("ce-isp", "key", "derive", "--ce-id", "ce-1", "--epoch", "1", "--out", P("k"),
            "--config", Config(new JsonObject { ["masterKeyFile"] = P("master.key") }));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"{P("master.key")}: the filter master key has mode 0640", r.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(P("k")));
    }

    [Fact]
    public void An_isp_json_holding_the_master_inline_must_be_private()
    {
        string config = Config(new JsonObject { ["masterKey"] = new string('a', 64) }, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        ProcResult r = Programs.Run("ce-isp", "audit", "verify", "--config", config);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("a configuration holding masterKey has mode 0604", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void No_key_is_derived_without_a_working_audit_log()
    {
        string config = Config(new JsonObject { ["masterKey"] = new string('a', 64) });
        string text = File.ReadAllText(config).Replace(P("audit.jsonl"), "/dev/null", StringComparison.Ordinal);
        File.WriteAllText(config, text);
        ProcResult r = Programs.Run("ce-isp", "key", "derive", "--ce-id", "ce-1", "--epoch", "1", "--out", P("k"), "--config", config);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no key without a working audit log: /dev/null: is a character device", r.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(P("k")));
    }

    [Theory]
    [InlineData("--epoch", "0", "--epoch")]
    [InlineData("--ce-id", "bad id", "--ce-id: 'bad id'")]
    public void Bad_arguments_are_named(string flag, string value, string expected)
    {
        string[] args = ["key", "derive", "--ce-id", "ce-1", "--epoch", "1", "--config", Config(new JsonObject { ["masterKey"] = new string('a', 64) })];
        args[Array.IndexOf(args, flag) + 1] = value;
        ProcResult r = Programs.Run("ce-isp", args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr, StringComparison.Ordinal);
    }
}
