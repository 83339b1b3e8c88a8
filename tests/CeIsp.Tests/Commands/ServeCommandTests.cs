using System.Text.Json;
using CeAgent.TestKit;
using CeIsp.Desk;

namespace CeIsp.Tests.Commands;

/// <summary>`ce-isp user` and `ce-isp serve` as shipped: accounts written without the password on the
/// command line, and a server that refuses plain HTTP off loopback before it opens anything.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ce-serve-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ProcResult User(string name, string roles, string password) =>
        Proc.Run(Programs.PathOf("ce-isp"), ["user", "--users", Path.Combine(_dir, "users.json"), "--name", name, "--roles", roles], stdin: password + "\n");

    [Fact]
    public void User_adds_and_replaces_accounts_with_a_private_file()
    {
        User("tanaka", "requester", "a long enough password").EnsureSuccess("user");
        User("kansa", "auditor,requester", "another long password").EnsureSuccess("user");
        User("tanaka", "auditor", "a new long password!").EnsureSuccess("user");
        string path = Path.Combine(_dir, "users.json");
        Accounts accounts = Accounts.Load(path);
        Assert.Equal(["auditor"], accounts.Find("tanaka")!.Roles);
        Assert.NotNull(accounts.SignIn("tanaka", "a new long password!"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.DoesNotContain("password!", File.ReadAllText(path));

        ProcResult shortPw = User("x", "requester", "short");
        Assert.Equal(2, shortPw.ExitCode);
        Assert.Contains("password: at least 12 characters", shortPw.Stderr);
        Assert.Contains("users[2].roles: 'boss' is not one of", User("y", "boss", "a long enough password").Stderr);
    }

    [Fact]
    public void Serve_refuses_plain_http_off_loopback()
    {
        string config = Path.Combine(_dir, "isp.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new { store = new { kind = "sqlite", target = Path.Combine(_dir, "s.db") },
            masterKeyFile = Path.Combine(_dir, "master.key"), auditLog = Path.Combine(_dir, "audit.jsonl"),
            desk = new { users = Path.Combine(_dir, "users.json"), dataDir = Path.Combine(_dir, "desk") } }));
        ProcResult r = Programs.Run("ce-isp", "serve", "--config", config, "--listen", "0.0.0.0:8443");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("desk.certFile: serving 0.0.0.0:8443 needs the ISP's certificate", r.Stderr);
        Assert.Contains("--listen: 'here' is not ADDR:PORT", Programs.Run("ce-isp", "serve", "--config", config, "--listen", "here").Stderr);
    }
}
