using System.Text;
using CeAgent.TestKit;
using CeIsp.Audit;

namespace CeIsp.Tests.Audit;

public sealed class AuditLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("audit-").FullName;
    private string Log => Path.Combine(_dir, "audit.jsonl");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] Write(int n)
    {
        AuditLog log = AuditLog.Open(Log);
        for (int i = 1; i <= n; i++)
            log.Append(new AuditRecord("police-" + i, "resolve", $"case-{i}", "192.0.2.18:1234", "unique", [$"line-{i}"], "detail"));
        return File.ReadAllLines(Log);
    }

    private void Rewrite(IEnumerable<string> lines) => File.WriteAllText(Log, string.Concat(lines.Select(l => l + "\n")));

    [Fact]
    public void A_fresh_log_is_created_private_and_its_chain_holds()
    {
        string[] lines = Write(5);
        Assert.Equal(5, lines.Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Log));
        Assert.Equal(new AuditVerification(true, 5, null, null), AuditLog.Verify(Log));
        Assert.Contains("\"seq\":1,", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"prev\":\"" + new string('0', 64) + "\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"actor\":\"police-3\"", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_log_verifies_with_no_entries()
    {
        AuditLog.Open(Log);
        Assert.Equal(new AuditVerification(true, 0, null, null), AuditLog.Verify(Log));
    }

    [Fact]
    public void An_edited_entry_is_named()
    {
        string[] lines = Write(4);
        lines[1] = lines[1].Replace("unique", "none!!", StringComparison.Ordinal);
        Rewrite(lines);
        AssertBrokenAt(2, "edited");
    }

    [Fact]
    public void An_edited_entry_whose_own_hash_was_recomputed_breaks_the_next_link()
    {
        string[] lines = Write(4);
        // The forger rewrites entry 2 properly (valid own hash) but cannot fix entry 3's prev without rewriting everything after it.
        File.WriteAllText(Log, lines[0] + "\n");
        AuditLog log = AuditLog.Open(Log);
        log.Append(new AuditRecord("police-2", "resolve", "case-2", "192.0.2.18:1234", "none"));
        Rewrite([.. File.ReadAllLines(Log), lines[2], lines[3]]);
        AssertBrokenAt(3, "line 2 was replaced");
    }

    [Fact]
    public void A_deleted_entry_is_named()
    {
        string[] lines = Write(4);
        Rewrite([lines[0], lines[2], lines[3]]);
        AssertBrokenAt(2, "removed");
    }

    [Fact]
    public void A_deleted_first_entry_is_named()
    {
        string[] lines = Write(3);
        Rewrite(lines[1..]);
        AssertBrokenAt(1, "removed");
    }

    [Fact]
    public void Reordered_entries_are_named()
    {
        string[] lines = Write(4);
        Rewrite([lines[0], lines[2], lines[1], lines[3]]);
        AssertBrokenAt(2, "moved");
    }

    [Fact]
    public void A_truncated_log_is_named_and_refused_for_appending()
    {
        Write(3);
        byte[] all = File.ReadAllBytes(Log);
        File.WriteAllBytes(Log, all[..^20]);
        AssertBrokenAt(3, "truncated");
        var e = Assert.Throws<AuditException>(() => AuditLog.Open(Log));
        Assert.Contains("incomplete", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_whose_last_entry_was_edited_is_refused_for_appending()
    {
        string[] lines = Write(2);
        lines[1] = lines[1].Replace("police-2", "nobody!!", StringComparison.Ordinal);
        Rewrite(lines);
        var e = Assert.Throws<AuditException>(() => AuditLog.Open(Log));
        Assert.Contains("last entry is broken", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_is_named()
    {
        Write(2);
        File.AppendAllText(Log, "{\"seq\":3}\n");
        AssertBrokenAt(3, "not an audit entry");
    }

    [Fact]
    public void A_world_readable_log_is_refused_naming_its_mode()
    {
        Write(1);
        File.SetUnixFileMode(Log, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var e = Assert.Throws<AuditException>(() => AuditLog.Open(Log));
        Assert.Contains("mode 0644", e.Message, StringComparison.Ordinal);
        Assert.Contains(Log, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Appending_rechecks_the_mode()
    {
        AuditLog log = AuditLog.Open(Log);
        File.SetUnixFileMode(Log, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);
        var e = Assert.Throws<AuditException>(() => log.Append(new AuditRecord("a", "resolve")));
        Assert.Contains("mode 0602", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dev/null", "character device")]
    [InlineData("symlink-to-dev-null", "character device")]
    [InlineData("fifo", "FIFO")]
    [InlineData("dir", "directory")]
    [InlineData("symlink-to-dir", "directory")]
    public void Sinks_and_non_files_are_refused(string target, string named)
    {
        string path = target.StartsWith('/') ? target : Path.Combine(_dir, target);
        switch (target)
        {
            case "symlink-to-dev-null": File.CreateSymbolicLink(path, "/dev/null"); break;
            case "fifo": Proc.ShOk($"mkfifo -m 600 '{path}'"); break;
            case "dir": Directory.CreateDirectory(path); break;
            case "symlink-to-dir": Directory.CreateSymbolicLink(path, _dir); break;
        }
        var e = Assert.Throws<AuditException>(() => AuditLog.Open(path));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_writers_with_their_own_file_descriptions_keep_one_chain()
    {
        // flock is per open file description, so separate AuditLog instances contend exactly as processes do.
        const int Writers = 6, Each = 40;
        Parallel.For(0, Writers, new ParallelOptions { MaxDegreeOfParallelism = Writers }, w =>
        {
            AuditLog log = AuditLog.Open(Log);
            for (int i = 0; i < Each; i++)
                log.Append(new AuditRecord($"w{w}", "resolve", Detail: $"{i}"));
        });
        Assert.Equal(new AuditVerification(true, Writers * Each, null, null), AuditLog.Verify(Log));
    }

    [Fact]
    public void Unicode_and_escapes_survive_the_chain()
    {
        AuditLog log = AuditLog.Open(Log);
        log.Append(new AuditRecord("警察 \"quoted\" \\ \n newline", "resolve", Detail: "\u0000\u2028"));
        Assert.True(AuditLog.Verify(Log).Ok);
        Assert.Single(File.ReadAllLines(Log, Encoding.UTF8));
    }

    private void AssertBrokenAt(long line, string why)
    {
        AuditVerification v = AuditLog.Verify(Log);
        Assert.False(v.Ok);
        Assert.Equal(line, v.FirstBrokenLine);
        Assert.Equal(line - 1, v.Entries);
        Assert.Contains(why, v.Problem, StringComparison.Ordinal);
    }
}
