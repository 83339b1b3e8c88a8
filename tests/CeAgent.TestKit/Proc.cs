using System.Diagnostics;

namespace CeAgent.TestKit;

/// <summary>The result of a finished process.</summary>
public sealed record ProcResult(int ExitCode, string Stdout, string Stderr)
{
    public ProcResult EnsureSuccess(string what)
    {
        if (ExitCode != 0)
            throw new InvalidOperationException($"{what} exited {ExitCode}: {Stderr.Trim()} {Stdout.Trim()}");
        return this;
    }
}

/// <summary>Runs programs for tests, always with a time limit so a hung tool fails the test instead of the run.</summary>
public static class Proc
{
    public static ProcResult Run(string file, IEnumerable<string> args, string? stdin = null, int timeoutMs = 60_000,
        IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        if (env is not null)
            foreach (var (k, v) in env)
                psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        Task<string> so = p.StandardOutput.ReadToEndAsync();
        Task<string> se = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutMs} ms");
        }
        p.WaitForExit();
        return new ProcResult(p.ExitCode, so.Result, se.Result);
    }

    public static ProcResult Run(string file, params string[] args) => Run(file, (IEnumerable<string>)args);

    /// <summary>Runs a command line through sh; for test set-up scripts only.</summary>
    public static ProcResult Sh(string script, int timeoutMs = 60_000) => Run("/bin/sh", ["-c", script], timeoutMs: timeoutMs);

    public static ProcResult ShOk(string script, int timeoutMs = 60_000) => Sh(script, timeoutMs).EnsureSuccess(script);
}
