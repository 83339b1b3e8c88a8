using CeAgent.TestKit;

namespace CeAgent.Tests.Config;

/// <summary>The agent does not run with its filter key or device key open to others.</summary>
public sealed class SecretConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-secret-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(UnixFileMode mode)
    {
        string path = Path.Combine(_dir, "agent.json");
        File.WriteAllText(path, $$"""
            { "ceId": "ce-0001",
              "mape": { "rule6": "2001:db8::/40", "rule4": "192.0.2.0/24", "eaLength": 16, "psidOffset": 4, "prefix": "2001:db8:12:3400::/56" },
              "filterKey": "000102030405060708090a0b0c0d0e0f", "filterKeyEpoch": 1,
              "broker": { "host": "127.0.0.1", "port": 1 }, "spool": { "dir": "{{_dir}}/spool" }, "keyFile": "{{_dir}}/device-key.pem" }
            """);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void A_configuration_holding_the_filter_key_open_to_others_stops_the_agent_naming_file_and_mode()
    {
        string path = Write(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        ProcResult r = Programs.Run("ce-agent", "run", "--config", path);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"{path}: a configuration holding filterKey has mode 0644", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("000102030405060708090a0b0c0d0e0f", r.Stderr + r.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "spool")), "nothing started");
        // --check only reads: it still validates an open file (the package test checks the shipped example).
        Assert.Equal(0, Programs.Run("ce-agent", "run", "--check", "--config", path).ExitCode);
    }

    [Fact]
    public void A_device_key_open_to_others_is_refused()
    {
        string key = Path.Combine(_dir, "device-key.pem");
        Programs.Run("ce-agent", "key", "--public", "--key", key).EnsureSuccess("key --public");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        ProcResult r = Programs.Run("ce-agent", "key", "--public", "--key", key);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"{key}: the device's private key has mode 0604", r.Stderr, StringComparison.Ordinal);
    }
}
