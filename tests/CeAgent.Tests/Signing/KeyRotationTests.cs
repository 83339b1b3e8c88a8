using CeAgent.Shared.Secrets;
using CeAgent.TestKit;

namespace CeAgent.Tests.Signing;

/// <summary>`ce-agent key --rotate [--commit]`: a new key is prepared beside the one in use, then made the key.</summary>
public sealed class KeyRotationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("key-rotate-").FullName;
    private string Key => Path.Combine(_dir, "device-key.pem");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ProcResult Agent(params string[] args) => Programs.Run("ce-agent", ["key", .. args, "--key", Key]);

    [Fact]
    public void Prepare_enrol_commit()
    {
        string first = Agent("--public").EnsureSuccess("key --public").Stdout;
        string next = Agent("--rotate").EnsureSuccess("key --rotate").Stdout;
        Assert.Contains("BEGIN PUBLIC KEY", next, StringComparison.Ordinal);
        Assert.NotEqual(first, next);
        Assert.Equal(SecretFile.Private, File.GetUnixFileMode(Key + ".next"));
        Assert.Equal(first, Agent("--public").Stdout);                  // not used before the commit
        Assert.Equal(next, Agent("--rotate").Stdout);                   // asking again shows the same prepared key

        ProcResult commit = Agent("--rotate", "--commit").EnsureSuccess("key --rotate --commit");
        Assert.Contains("restart the agent", commit.Stdout, StringComparison.Ordinal);
        Assert.Equal(next, Agent("--public").Stdout);
        Assert.False(File.Exists(Key + ".next"));
        Assert.Equal(SecretFile.Private, File.GetUnixFileMode(Key + ".previous"));
        Assert.Equal(first, Programs.Run("ce-agent", "key", "--public", "--key", Key + ".previous").Stdout);
        Assert.DoesNotContain("PRIVATE", next + commit.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Misuse_is_refused_with_a_reason()
    {
        ProcResult none = Agent("--rotate");
        Assert.Equal(1, none.ExitCode); // no key to rotate from
        Assert.Contains(Key, none.Stderr, StringComparison.Ordinal);
        Agent("--public").EnsureSuccess("key --public");
        ProcResult early = Agent("--rotate", "--commit");
        Assert.Equal(1, early.ExitCode);
        Assert.Contains("no key prepared", early.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, Agent("--commit").ExitCode);
        Assert.Equal(2, Agent("--public", "--rotate").ExitCode);
    }
}
