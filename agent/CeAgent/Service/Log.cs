namespace CeAgent.Service;

/// <summary>
/// One line per event on stderr. Under systemd (JOURNAL_STREAM set) each line starts with its syslog
/// priority, which journald turns into the entry's level; under procd the plain line goes to logd.
/// </summary>
public sealed class Log(TextWriter output, bool journal)
{
    public static Log Console() =>
        new(System.Console.Error, Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 });

    public void Write(string level, string message)
    {
        string prefix = journal ? level switch { "error" => "<3>", "warning" => "<4>", "debug" => "<7>", _ => "<6>" } : $"{level}: ";
        lock (output)
        {
            output.WriteLine(prefix + message);
            output.Flush();
        }
    }
}
