using System.Collections.Concurrent;
using System.Diagnostics;

namespace CeAgent.TestKit;

/// <summary>A program running beside a test (an agent, a broker, a capture), its output collected line by
/// line. Dispose kills it if it is still running, so a failed test leaves nothing behind.</summary>
public sealed class BackgroundProc : IDisposable
{
    private readonly Process _p;
    private readonly ConcurrentQueue<string> _out = new();
    private readonly ConcurrentQueue<string> _err = new();

    public BackgroundProc(string file, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        if (env is not null)
            foreach (var (k, v) in env)
                psi.Environment[k] = v;
        _p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        _p.OutputDataReceived += (_, e) => { if (e.Data is not null) _out.Enqueue(e.Data); };
        _p.ErrorDataReceived += (_, e) => { if (e.Data is not null) _err.Enqueue(e.Data); };
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
    }

    public int Pid => _p.Id;
    public IReadOnlyList<string> Lines => [.. _out];
    public string Stderr => string.Join('\n', _err);
    public bool HasExited => _p.HasExited;
    public int ExitCode => _p.ExitCode;

    /// <summary>Waits until a line satisfies the predicate; false on timeout or when the program ended first.</summary>
    public bool WaitFor(Func<string, bool> line, int timeoutMs = 10_000) => WaitFor(_out, line, timeoutMs);

    /// <summary>The same on standard error, where daemons log.</summary>
    public bool WaitForStderr(Func<string, bool> line, int timeoutMs = 10_000) => WaitFor(_err, line, timeoutMs);

    private bool WaitFor(ConcurrentQueue<string> lines, Func<string, bool> line, int timeoutMs)
    {
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < timeoutMs)
        {
            if (lines.Any(line))
                return true;
            if (_p.HasExited)
            {
                _p.WaitForExit();
                return lines.Any(line);
            }
            Thread.Sleep(20);
        }
        return false;
    }

    public bool WaitForExit(int timeoutMs)
    {
        if (!_p.WaitForExit(timeoutMs))
            return false;
        _p.WaitForExit(); // drains the asynchronous readers
        return true;
    }

    public void Signal(int signal) => Proc.Run("kill", $"-{signal}", _p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose()
    {
        if (!_p.HasExited)
        {
            _p.Kill(entireProcessTree: true);
            _p.WaitForExit(5000);
        }
        _p.Dispose();
    }
}
