using System.Text.Json.Nodes;
using CeAgent.TestKit;
using CeIsp.Audit;

namespace CeIsp.Tests.Commands;

/// <summary>`ce-isp resolve` and `ce-isp audit verify` as processes: the resolver answers only through a working audit.</summary>
public sealed class AuditCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("audit-cmd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(string auditLog)
    {
        var json = new JsonObject
        {
            ["store"] = new JsonObject { ["kind"] = "sqlite", ["target"] = Path.Combine(_dir, "s.db") },
            ["masterKey"] = Convert.ToHexString(Scenario.MasterKey),
            ["auditLog"] = auditLog,
        };
        string path = Path.Combine(_dir, $"isp-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.ToJsonString());
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private string Request()
    {
        string path = Path.Combine(_dir, "request.json");
        File.WriteAllText(path, """{"requester":"police","reference":"case-7","observations":[{"ip":"192.0.2.18","time":"2026-11-19T08:00:00Z","timeAccuracyMs":1000,"dstIp":"203.0.113.10","dstPort":443}]}""");
        return path;
    }

    private static ProcResult Resolve(string config, string request) => Programs.Run("ce-isp", "resolve", "--request", request, "--config", config);

    [Fact]
    public void A_resolve_is_logged_and_the_chain_verifies()
    {
        string log = Path.Combine(_dir, "log", "audit.jsonl");
        string config = Config(log);
        ProcResult r = Resolve(config, Request()).EnsureSuccess("resolve");
        Assert.Contains("verdict: unknown", r.Stdout, StringComparison.Ordinal); // an empty store rules nobody out
        string entry = Assert.Single(File.ReadAllLines(log));
        Assert.Contains("\"actor\":\"police\",\"action\":\"resolve\",\"reference\":\"case-7\"", entry, StringComparison.Ordinal);
        Assert.DoesNotContain("203.0.113.10", entry, StringComparison.Ordinal); // the destination stays with the requester
        ProcResult v = Programs.Run("ce-isp", "audit", "verify", "--config", config);
        Assert.Equal(0, v.ExitCode);
        Assert.Contains("1 entries, chain intact", v.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dev/null", "character device")]
    [InlineData("link", "character device")]
    public void A_sink_as_audit_log_gets_no_answer(string target, string named)
    {
        string log = target == "link" ? Path.Combine(_dir, "audit.jsonl") : target;
        if (target == "link")
            File.CreateSymbolicLink(log, "/dev/null");
        ProcResult r = Resolve(Config(log), Request());
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Contains("no answer without a working audit log", r.Stderr, StringComparison.Ordinal);
        Assert.Contains(named, r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_readable_audit_log_gets_no_answer()
    {
        string log = Path.Combine(_dir, "audit.jsonl");
        File.WriteAllText(log, "");
        File.SetUnixFileMode(log, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        ProcResult r = Resolve(Config(log), Request());
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Contains("mode 0644", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_names_the_first_broken_entry_and_exits_1()
    {
        string log = Path.Combine(_dir, "audit.jsonl");
        string config = Config(log);
        string request = Request();
        for (int i = 0; i < 3; i++)
            Resolve(config, request).EnsureSuccess("resolve");
        string[] lines = File.ReadAllLines(log);
        File.WriteAllLines(log, [lines[0], lines[2]]);
        ProcResult v = Programs.Run("ce-isp", "audit", "verify", "--config", config);
        Assert.Equal(1, v.ExitCode);
        Assert.Contains("BROKEN at line 2", v.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_resolver_processes_appending_at_once_keep_one_chain()
    {
        string log = Path.Combine(_dir, "audit.jsonl");
        string config = Config(log);
        string request = Request();
        const int Each = 8;
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, _ =>
        {
            for (int i = 0; i < Each; i++)
                Resolve(config, request).EnsureSuccess("resolve");
        });
        Assert.Equal(new AuditVerification(true, 2 * Each, null, null), AuditLog.Verify(log));
    }
}
