using System.Text.Json;
using CeAgent.TestKit;

namespace CeAgent.Tests.Service;

/// <summary>`ce-agent run` under a Type=notify unit whose start fails: systemd hears why (STATUS=, ERRNO=) and
/// never READY=1. The start that succeeds is RunTests' systemd test (it needs the namespace router).</summary>
public sealed class SystemdReadyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ce-ready-" + Guid.NewGuid().ToString("N")[..10]);

    public SystemdReadyTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(string spoolDir, int window = 60)
    {
        string path = Path.Combine(_dir, "agent.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["ceId"] = "ce-0001",
            ["mape"] = new Dictionary<string, object> { ["rule6"] = "2001:db8::/40", ["rule4"] = "192.0.2.0/24", ["eaLength"] = 16, ["psidOffset"] = 4, ["prefix"] = "2001:db8:12:3400::/56" },
            ["windowSeconds"] = window,
            ["spool"] = new Dictionary<string, object> { ["dir"] = spoolDir, ["maxBytes"] = 1 << 20 },
            ["broker"] = new Dictionary<string, object> { ["host"] = "127.0.0.1", ["port"] = 1 },
            ["filterKey"] = "000102030405060708090a0b0c0d0e0f",
            ["filterKeyEpoch"] = 1,
            ["keyFile"] = Path.Combine(_dir, "device-key.pem"),
        }));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // it holds the filter key
        return path;
    }

    /// <summary>Runs the agent as systemd would start it and returns its exit, stderr and what it notified.</summary>
    private (int Exit, string Stderr, IReadOnlyList<string> Notified) Start(string config)
    {
        using var notify = new NotifySocket(Path.Combine(_dir, "notify.sock"));
        ProcResult r = Proc.Run(Programs.PathOf("ce-agent"), ["run", "--config", config], env: notify.Environment());
        // The datagrams were queued before the exit; the reader thread may not have taken them yet.
        for (int i = 0; i < 50 && !notify.Messages.Any(m => m.StartsWith("STATUS=fault", StringComparison.Ordinal)); i++)
            Thread.Sleep(100);
        return (r.ExitCode, r.Stderr, notify.Messages);
    }

    [Fact]
    public void A_spool_directory_that_cannot_be_made_is_told_with_its_errno_and_never_ready()
    {
        string file = Path.Combine(_dir, "not-a-directory");
        File.WriteAllText(file, "");
        var (exit, stderr, notified) = Start(Config(file));

        Assert.Equal(1, exit);
        Assert.DoesNotContain(notified, m => m.Split('\n').Contains("READY=1"));
        string fault = Assert.Single(notified, m => m.StartsWith("STATUS=fault: ", StringComparison.Ordinal));
        Assert.Contains(file, fault);
        Assert.EndsWith("\nERRNO=17", fault); // EEXIST: a file where the spool directory should be
        Assert.Contains(file, stderr);
    }

    [Fact]
    public void A_bad_configuration_is_told_by_field_without_errno_and_never_ready()
    {
        var (exit, stderr, notified) = Start(Config(Path.Combine(_dir, "spool"), window: 7));

        Assert.Equal(1, exit);
        Assert.DoesNotContain(notified, m => m.Split('\n').Contains("READY=1"));
        string fault = Assert.Single(notified, m => m.StartsWith("STATUS=fault: ", StringComparison.Ordinal));
        Assert.Equal("STATUS=fault: windowSeconds: 7 must divide a day and be 1-3600", fault);
        Assert.Contains("windowSeconds: 7", stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "spool")), "the spool was opened for a configuration that was refused");
    }
}
